"""View models and the templates they feed (kamreport/views.py, templates/)."""
import logging
import pickle
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures_result import AS_OF, make_result  # noqa: E402

from kamreport.report import views  # noqa: E402
from kamreport.build.jobs import make_env  # noqa: E402

TOC = [{"title": "管理摘要", "anchor": "summary", "page": 3, "level": 1},
       {"title": "上海东方", "anchor": views.account_anchor("C001"), "page": 9, "level": 2}]
POLICY = "# 制度\n\n重点客户**每月**拜访。\n\n<script>alert(1)</script>"


@pytest.fixture(scope="module", params=["zh", "en"])
def built(request):
    lang = request.param
    r, d = make_result(lang)
    files = {a.customer_id: {"html": f"accounts/{a.customer_id}.html", "pdf": f"accounts/{a.customer_id}.pdf"}
             for a in r.accounts if a.tier == "key"}
    ctxs = {
        "index.html": views.index_context(r, d, files),
        "account.html": views.account_context(r, d, "C001"),
        "booklet_front.html": views.booklet_front_context(r, d, TOC),
        "booklet_appendix.html": views.booklet_appendix_context(r, d, POLICY),
    }
    env = make_env(lang, "CNY")
    html = {}
    for name, ctx in ctxs.items():
        done = views.finish(ctx)
        for mode in ("html", "pdf", "stylesheet"):       # "stylesheet": the PDF piece's CSS
            html[name, mode] = env.get_template(name).render(dict(done, mode=mode))
    return lang, r, d, ctxs, html, env


# --------------------------------------------------------------------------
# contexts

def test_contexts_are_picklable_plain_dicts(built):
    _, _, _, ctxs, _, _ = built
    for name, ctx in ctxs.items():
        assert pickle.loads(pickle.dumps(ctx)) == ctx, name
        assert ctx["mode"] == "html" and ctx["lang"] in ("zh", "en")
        assert ctx["settings"]["logo_data_uri"] is None
        assert set(ctx["settings"]) >= {"company", "report_title", "brand_color", "currency"}


def test_account_action_plan_orders_and_flags_overdue():
    r, d = make_result("zh")
    plans = views.account_context(r, d, "C001")["plans"]
    # as_of 2026-09-30. Open & due 2026-08-31 < as_of -> overdue, first;
    # open & due 2026-10-20 -> not overdue; done; cancelled last.
    assert [(p["action"], p["overdue"]) for p in plans] == [
        ("提交框架协议草案", True), ("组织技术交流会", False), ("季度回访", False), ("Dropped", False)]
    assert plans[2]["status_label"] == "已完成" and plans[3]["status_label"] == "已取消"


def test_account_activity_is_recent_first_and_ignores_after_as_of():
    r, d = make_result("zh")
    ctx = views.account_context(r, d, "C001")
    dates = [a["date"] for a in ctx["activities"]]
    assert all(x <= AS_OF for x in dates)
    assert dates == sorted(dates, reverse=True) and dates[0] == date(2026, 9, 28)
    assert ctx["activities_total"] == 9            # 10 rows, one dated 2026-10-03 after as_of
    assert ctx["survey_comments"][0]["comment"] == "服务响应**很快**"   # Markdown kept for the md filter


def test_stakeholder_grid_places_people_by_role_and_attitude():
    r, d = make_result("zh")
    s = views.account_context(r, d, "C001")["stakeholders"]
    assert [a["key"] for a in s["attitudes"]] == ["supporter", "neutral", "opponent", "none"]
    rows = {row["role"]: row for row in s["rows"]}
    assert [p["name"] for p in rows["decision_maker"]["cells"][0]["people"]] == ["陈建国"]
    assert [p["name"] for p in rows["decision_maker"]["cells"][1]["people"]] == ["刘芳"]
    assert [p["name"] for p in rows["influencer"]["cells"][2]["people"]] == ["赵磊"]
    assert [p["name"] for p in rows["none"]["cells"][3]["people"]] == ["周杰"]   # role & attitude blank
    assert s["count"] == 5


def test_why_tier_marks_the_reasons_met():
    r, d = make_result("en")
    why = views.account_context(r, d, "C001")["why"]
    assert [x["met"] for x in why["reasons"]] == [True, True, True, False]
    assert why["pillars"][0]["weight"] == 0.5
    assert any("92.0" in line for line in why["pillars"][0]["inputs"])      # revenue_ttm percentile


def test_why_tier_explains_a_tier_without_key_reasons():
    r, d = make_result("zh")
    assert views.account_context(r, d, "C001")["why"]["tier_rule"] is None
    assert views.account_context(r, d, "C100")["why"]["tier_rule"].endswith("因此为普通客户。")
    assert "潜在客户" in views.account_context(r, d, "P200")["why"]["tier_rule"]
    assert "无吸引力客户" in views.account_context(r, d, "U900")["why"]["tier_rule"]


def test_engagement_status_against_cadence():
    r, d = make_result("en")
    assert views.account_context(r, d, "C001")["engagement"]["status"] == "within_cadence"   # 12 <= 30
    assert views.account_context(r, d, "C002")["engagement"]["status"] == "no_touch"
    assert views.account_context(r, d, "C003")["engagement"]["status"] == "beyond_cadence"  # 41 > 30
    assert views.account_context(r, d, "P200")["engagement"]["status"] == "within_cadence"


def test_pyramid_and_time_gaps():
    r, d = make_result("en")
    ctx = views.booklet_front_context(r, d, TOC)
    # fixture: 15 customers, 3 key -> 3/15 = 0.20, target 0.10 -> gap +0.10
    key = ctx["pyramid"][0]
    assert key["count"] == 3 and key["share"] == pytest.approx(0.2) and key["gap"] == pytest.approx(0.1)
    # other = 5 prospects + 1 unattractive = 6
    assert ctx["pyramid"][2]["count"] == 6
    # time: key 0.525 against 0.60 -> -0.075; 1260 minutes = 21 hours
    t = ctx["time"][0]
    assert t["gap"] == pytest.approx(-0.075) and t["hours"] == pytest.approx(21.0)


def test_pareto_data_bins_large_portfolios():
    r, d = make_result("en", n_ordinary=130)
    p = views._pareto(r)
    # 3 key + 130 ordinary have a positive basis: 133 customers,
    # ceil(133 / 60) = 3 per bar -> ceil(133 / 3) = 45 bars
    assert p["customers"] == 133 and p["per_bar"] == 3 and len(p["values"]) == 45
    assert sum(p["values"]) == pytest.approx(p["total"])
    assert p["cumulative"][-1] == pytest.approx(1.0)
    assert p["cumulative"] == sorted(p["cumulative"])


def test_portfolio_matrix_counts_customers_and_key_accounts():
    r, d = make_result("en")
    m = views.booklet_front_context(r, d, TOC)["matrix"]
    stages = [s["key"] for s in m["stages"]]
    assert stages[-1] == "none"                   # C003 has no relationship stage
    cells = {(row["key"], st): c for row in m["rows"] for st, c in zip(stages, row["cells"])}
    # C001: high × very_strong, key
    assert cells["high", "very_strong"]["count"] == 1 and cells["high", "very_strong"]["key"] == 1
    # prospects P200..P204: medium × developing, plus ordinary C101, C103, C105
    # (odd i -> medium; stage i % 4 == 1 -> developing for C101, C105)
    assert cells["medium", "developing"]["count"] == 5 + 2
    assert sum(c["count"] for c in cells.values()) == len(r.accounts)
    assert cells["low", "declining"]["level"] == 0 and cells["low", "declining"]["bg"] == "#ffffff"


def test_risk_register_lists_ordinary_customers_high_risks_only():
    import dataclasses

    from kamreport.engine.results import Risk
    r, d = make_result("en")
    accounts = list(r.accounts)
    i = next(k for k, a in enumerate(accounts) if a.customer_id == "C102")
    drop = Risk("REVENUE_DROP", "high", {"growth_qoq": None, "growth_yoy": -0.45, "drop": 0.2})
    accounts[i] = dataclasses.replace(accounts[i], risks=(drop,))
    ctx = views.booklet_front_context(dataclasses.replace(r, accounts=tuple(accounts)), d, TOC)
    listed = {(x["customer_id"], x["code"]) for x in ctx["risk_register"]}
    assert ("C102", "REVENUE_DROP") in listed              # ordinary, high: listed
    assert ("C101", "CONTACT_OVERDUE") not in listed       # ordinary, medium: counted only
    summary = {x["code"]: x for x in ctx["risk_summary"]}
    # CONTACT_OVERDUE: C002 high; C003 and C101 medium -> 1 high, 2 medium
    assert (summary["CONTACT_OVERDUE"]["high"], summary["CONTACT_OVERDUE"]["medium"]) == (1, 2)
    # the ordinary row is never linked (no booklet section); the key rows are
    assert all((x["anchor"] is None) == (x["tier"] != "key") for x in ctx["risk_register"])


def test_risk_register_puts_high_first_then_key_accounts():
    r, d = make_result("en")
    reg = views.booklet_front_context(r, d, TOC)["risk_register"]
    sev = [x["severity"] for x in reg]
    assert sev == sorted(sev, key=lambda s: 0 if s == "high" else 1)
    assert reg[0]["customer_id"] == "C002" and len([x for x in reg if x["severity"] == "high"]) == 5


def test_migrations_list_moves_up_first():
    r, d = make_result("en")
    mig = views.booklet_front_context(r, d, TOC)["migrations"]
    assert [(x["customer_id"], x["move"]) for x in mig["moves"]] == [("C002", "up"), ("C100", "down")]
    key_row = mig["rows"][0]
    assert [c["count"] for c in key_row["cells"]] == [2, 1, 0, 0]   # C001, C003 stay; C100 key -> ordinary


def test_appendix_problems_most_severe_first_and_capped():
    r, d = make_result("zh")
    ctx = views.booklet_appendix_context(r, d, None)
    # fixture: 40 problems, i % 3 == 0 are errors -> 14 errors, 26 warnings
    assert ctx["problems_total"] == 40 and ctx["problems_shown"] == 30
    assert [p["severity"] for p in ctx["problems"][:14]] == ["error"] * 14
    assert ctx["problems"][0]["location"] == "sample.xlsx:Sales!C10"   # no directories printed
    assert ctx["inputs"][0]["path"] == "sample.xlsx"
    assert {c["severity"]: c["count"] for c in ctx["problem_counts"]} == {
        "fatal": 0, "error": 14, "warning": 26, "info": 0}
    assert "mail_to" not in {s["key"] for s in ctx["settings_rows"]}
    assert [x["sheet"] for x in ctx["rows"]] == ["Customers", "Sales", "Activities"]


@pytest.mark.parametrize("value, expected", [
    ("#1F4E79", "#1f4e79"), ("#abc", "#aabbcc"), (" #123456 ", "#123456"),
    ("red", "#1f4e79"), ("#123456; background: url(http://x/)", "#1f4e79"), ("", "#1f4e79"), (None, "#1f4e79")])
def test_brand_color_only_accepts_hex(value, expected):
    assert views.brand_color(value) == expected


def test_account_anchor_is_unique_and_url_safe():
    # "x4320" is a plain id spelling the hex of "C " — it must not collide
    ids = ["C001", "C 001", "C/001", "客户1", "../x", "C_001", "C ", "x4320", "4320"]
    anchors = [views.account_anchor(i) for i in ids]
    assert len(set(anchors)) == len(ids)
    assert all(re.fullmatch(r"acc[-_][A-Za-z0-9_-]+", a) for a in anchors)
    assert anchors[0] == "acc-C001"


def test_booklet_sections_match_the_template_ids(built):
    _, _, _, _, html, _ = built
    secs = views.booklet_sections("zh", policy=True)
    front = BeautifulSoup(html["booklet_front.html", "pdf"], "html.parser")
    app = BeautifulSoup(html["booklet_appendix.html", "pdf"], "html.parser")
    for s in secs["front"]:
        el = front.find(id=s["anchor"])
        assert el is not None and el.find("h1") is not None, s["anchor"]   # one h1: a contents entry
    for s in secs["appendix"]:
        assert app.find(id=s["anchor"]) is not None, s["anchor"]


# --------------------------------------------------------------------------
# templates

def test_no_python_leaks_in_any_document(built):
    _, _, _, _, html, _ = built
    for (name, mode), text in html.items():
        body = BeautifulSoup(text, "html.parser").get_text(" ")
        for bad in ("None", "nan", "undefined", "{{", "{%"):
            assert not re.search(rf"(?<![\w.]){re.escape(bad)}(?![\w])", body), (name, mode, bad)


def test_cell_text_is_escaped_not_markup(built):
    _, _, _, _, html, _ = built
    soup = BeautifulSoup(html["booklet_front.html", "html"], "html.parser")
    assert "Northwind <b>Trading</b>" in soup.get_text()     # shown as text
    assert not [b for b in soup.find_all("b") if b.get_text() == "Trading"]
    acc = BeautifulSoup(views_render("account.html", "C002"), "html.parser")
    assert acc.find("script") is None and "<script>x</script>" in acc.get_text()


def views_render(template, customer_id, lang="zh", mode="html"):
    r, d = make_result(lang)
    env = make_env(lang, "CNY")
    return env.get_template(template).render(dict(views.finish(views.account_context(r, d, customer_id)), mode=mode))


def test_markdown_goes_through_the_sanitising_md_filter(built):
    _, _, _, _, html, _ = built
    acc = BeautifulSoup(html["account.html", "html"], "html.parser")
    notes = acc.find_all("strong")
    assert any(s.get_text() == "重点" for s in notes)          # **重点** in the notes
    app = BeautifulSoup(html["booklet_appendix.html", "html"], "html.parser")
    policy = app.find(id="policy")
    assert policy.find("strong").get_text() == "每月" and policy.find("script") is None


def test_index_links_every_account_file_and_the_booklet(built):
    _, r, _, ctxs, html, _ = built
    soup = BeautifulSoup(html["index.html", "html"], "html.parser")
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    expected = {"booklet.html", "booklet.pdf"}
    for a in r.accounts:
        if a.tier == "key":
            expected |= {f"accounts/{a.customer_id}.html", f"accounts/{a.customer_id}.pdf"}
    assert hrefs == expected
    # every customer is listed, linked or not
    rows = soup.select("table.accounts tbody tr")
    assert len(rows) == len(r.accounts)
    # self-contained: no external resources at all
    assert not soup.find_all(["script", "link"]) and "http://" not in html["index.html", "html"].replace(
        'xmlns="http://www.w3.org/2000/svg"', "").replace('xmlns:xlink="http://www.w3.org/1999/xlink"', "")


def test_account_page_sections_and_anchor(built):
    lang, _, _, _, html, _ = built
    soup = BeautifulSoup(html["account.html", "html"], "html.parser")
    assert soup.find("article", id="acc-C001") is not None
    assert len(soup.find_all("h1")) == 1                      # one outline entry per account
    assert soup.find("a", href="../index.html") is not None
    assert len(soup.find_all("h2")) >= 12                     # every section of SPEC §6
    overdue = soup.select("table.plan tr.overdue")
    assert len(overdue) == 1 and "提交框架协议草案" in overdue[0].get_text()
    assert soup.select(".chart svg.chart-revenue_trend") and soup.select(".chart svg.chart-health")
    pdf = BeautifulSoup(html["account.html", "pdf"], "html.parser")
    # the pipeline injects the anchor into PDF pieces itself: no duplicate id, no link out
    assert pdf.find(id="acc-C001") is None and pdf.find("a", href="../index.html") is None
    assert pdf.find(class_="topbar") is None


def test_pdf_pieces_link_only_inside_the_booklet(built):
    """A piece's links go to its own ids or to another piece's (a section or
    an account plan), which the booklet's assembly wires to their pages."""
    from kamreport.report import views
    _, _, _, _, html, _ = built
    sections = {a for a, _ in views.FRONT_SECTIONS} | {a for a, _ in views.APPENDIX_SECTIONS}
    outside = 0
    for name in ("booklet_front.html", "booklet_appendix.html", "account.html"):
        soup = BeautifulSoup(html[name, "pdf"], "html.parser")
        ids = {el["id"] for el in soup.find_all(id=True)}
        for a in soup.find_all("a", href=True):
            assert a["href"].startswith("#"), (name, a["href"])
            target = a["href"][1:]
            if target not in ids:
                outside += 1
                assert target in sections or target.startswith("acc-"), (name, a["href"])
    assert outside, "the contents and the dashboard link to the other pieces"


def test_contents_prints_the_pipeline_page_numbers(built):
    _, _, _, _, html, _ = built
    soup = BeautifulSoup(html["booklet_front.html", "pdf"], "html.parser")
    items = [(li.select_one(".t").get_text(strip=True), li.select_one(".p").get_text(strip=True))
             for li in soup.select("ol.toc li:not(.group)")]
    assert items == [("管理摘要", "3"), ("上海东方", "9")]
    # the accounts (level 2) sit under a group heading of their own
    groups = soup.select("ol.toc li.group")
    assert len(groups) == 1 and groups[0].find_next_sibling("li").get_text().startswith("上海东方")


def test_brand_colour_reaches_the_css(built):
    _, _, _, _, html, _ = built
    for mode in ("html", "stylesheet"):         # the browser page's <style>, the PDF piece's stylesheet
        assert "--brand: #1f4e79;" in html["account.html", mode]
        assert "@page" in html["account.html", mode] and "size: A4" in html["account.html", mode]
    assert "<style" not in html["account.html", "pdf"]      # WeasyPrint is given the stylesheet


def test_a_user_template_can_replace_one_block(tmp_path):
    (tmp_path / "account.html").write_text(
        '{% extends "default:account.html" %}{% block notes %}<p id="mine">custom</p>{% endblock %}',
        encoding="utf-8")
    r, d = make_result("en")
    env = make_env("en", "CNY", tmp_path)
    out = env.get_template("account.html").render(dict(views.finish(views.account_context(r, d, "C001")),
                                                        mode="html"))
    soup = BeautifulSoup(out, "html.parser")
    assert soup.find(id="mine") is not None and soup.find("h2", string="Stakeholder map") is not None


def test_weasyprint_lays_out_every_document_without_warnings(built, caplog):
    """CSS and inline SVG the PDF engine does not understand would log; a
    clean log means what we wrote is what gets drawn."""
    import weasyprint
    lang, _, _, _, html, _ = built
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pages = {name: len(weasyprint.HTML(string=html[name, "pdf"]).render(
                     stylesheets=[weasyprint.CSS(string=html[name, "stylesheet"])]).pages)
                 for name in ("account.html", "booklet_front.html", "booklet_appendix.html")}
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")], caplog.text
    assert pages["booklet_front.html"] >= 6     # cover, contents, summary, pyramid, ABC, risks, scorecards


@pytest.mark.parametrize("customer_id", ["P200", "U900", "C003"])
def test_non_key_accounts_render_too(customer_id):
    """--accounts all: prospects and unattractive customers have no health,
    cadence or charts beyond the trend; their page must still render."""
    for mode in ("html", "pdf"):
        soup = BeautifulSoup(views_render("account.html", customer_id, "en", mode), "html.parser")
        assert soup.find("h1") is not None
        assert "None" not in soup.get_text()


def _overflowing_boxes(document):
    """Boxes whose border box reaches past the page's content area."""
    bad = []
    for page in document.pages:
        root = page._page_box
        right = root.margin_width() - root.margin_right - root.padding_right - root.border_right_width
        for box in root.descendants():
            if box is root or not hasattr(box, "border_width"):
                continue
            edge = box.position_x + box.margin_left + box.border_width()
            if edge > right + 1:                   # 1 px of rounding slack
                text = getattr(box, "text", "") or type(box).__name__
                bad.append((round(edge - right, 1), text[:40]))
    return bad


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_long_names_and_long_tables_stay_inside_the_page(lang):
    """A 60-character Chinese name, an unbroken 70-character Latin token and
    130 ordinary accounts (a 100+ row risk register and glance table) must
    wrap and flow, never run off the A4 page."""
    import dataclasses

    import weasyprint
    r, d = make_result(lang, n_ordinary=130)
    long_cn = "超长名称测试" * 10
    token = "X" * 70
    accounts = list(r.accounts)
    accounts[0] = dataclasses.replace(accounts[0], name=long_cn + token, account_manager=token)
    r = dataclasses.replace(r, accounts=tuple(accounts))
    env = make_env(lang, "CNY")
    for name, ctx in (("account.html", views.account_context(r, d, "C001")),
                      ("booklet_front.html", views.booklet_front_context(r, d, TOC)),
                      ("booklet_appendix.html", views.booklet_appendix_context(r, d, POLICY))):
        # (index.html is a browser page, never printed: a wide table may scroll there)
        template, done = env.get_template(name), views.finish(ctx)
        css = weasyprint.CSS(string=template.render(dict(done, mode="stylesheet")))
        doc = weasyprint.HTML(string=template.render(dict(done, mode="pdf"))).render(stylesheets=[css])
        assert not _overflowing_boxes(doc), (name, _overflowing_boxes(doc)[:5])


def test_default_title_follows_the_period_kind():
    import dataclasses
    r, d = make_result("zh")
    assert views.index_context(r, d, {})["settings"]["report_title"] == "重点客户季度回顾"
    monthly = dataclasses.replace(r, period=dataclasses.replace(r.period, label="2026-08", kind="month"))
    assert views.index_context(monthly, d, {})["settings"]["report_title"] == "重点客户月度回顾"
    titled = dataclasses.replace(r, settings=dataclasses.replace(r.settings, report_title="年度KA评审"))
    assert views.booklet_front_context(titled, d, [])["settings"]["report_title"] == "年度KA评审"


def test_booklet_html_links_only_to_sections_that_exist(built):
    """booklet.html holds the front, the key accounts' pages and the appendix:
    a link to an ordinary customer (risk register) would go nowhere."""
    _, r, _, _, html, _ = built
    soup = BeautifulSoup(html["booklet_front.html", "html"], "html.parser")
    targets = {el["id"] for el in soup.find_all(id=True)}
    targets |= {views.account_anchor(a.customer_id) for a in r.accounts if a.tier == "key"}
    hrefs = [a["href"][1:] for a in soup.find_all("a", href=True)]
    assert hrefs and all(h in targets for h in hrefs), [h for h in hrefs if h not in targets]
    # C101 is an ordinary customer: in the register (if at all) never linked
    for tr in soup.select("table.register tbody tr"):
        if "Acme Widgets" in tr.get_text():
            assert tr.find("a") is None


def test_an_empty_portfolio_still_renders_every_document():
    """A workbook whose customers were all rejected: no accounts, no sales."""
    import dataclasses

    from kamreport.engine.results import Portfolio
    r, d = make_result("en")
    empty = Portfolio(customers=0, tiers={}, tier_share={}, revenue_q=0.0, revenue_pq=0.0, revenue_yq=0.0,
                      revenue_ttm=0.0, gross_profit_ttm=None, growth_qoq=None, growth_yoy=None, nps=None,
                      minutes_q={}, time_share={}, migrations={}, abc_counts={})
    r = dataclasses.replace(r, accounts=(), portfolio=empty, managers=(), care=())
    d = dataclasses.replace(d, problems=(), rows={})
    env = make_env("en", "CNY")
    for name, ctx in (("index.html", views.index_context(r, d, {})),
                      ("booklet_front.html", views.booklet_front_context(r, d, [])),
                      ("booklet_appendix.html", views.booklet_appendix_context(r, d, None))):
        for mode in ("html", "pdf"):
            soup = BeautifulSoup(env.get_template(name).render(dict(views.finish(ctx), mode=mode)), "html.parser")
            text = soup.get_text(" ")
            assert "None" not in text and "nan" not in text, name
    front = views.booklet_front_context(r, d, [])
    assert [p["share"] for p in front["pyramid"]] == [None, None, None]
    assert front["risk_register"] == [] and front["managers"] == []
