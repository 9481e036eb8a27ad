"""The booklet's dashboard and the account plan's first page (issue 16,
SPEC §6): what the pages print, read back from the HTML (BeautifulSoup)
and checked against summary.json; the view rules on hand-made accounts."""
from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from fixtures_result import make_result
from kamreport import fmt
from kamreport.report import labels, views
from kamreport.build import jobs as render
from kamreport.cli import main
from kamreport.engine.results import Mover, PortfolioQuarter, Risk

MONEY = fmt.make_money_short("CNY", "zh")


@pytest.fixture(scope="module")
def period(tmp_path_factory) -> Path:
    from kamreport.sample.workbooks import write_workbook
    root = tmp_path_factory.mktemp("dash")
    book = root / "sample-zh.xlsx"
    write_workbook(str(book), lang="zh", customers=40, seed=3)
    res = CliRunner().invoke(main, ["build", str(book), "--out", str(root / "out"), "--jobs", "2"])
    assert res.exit_code == 0, res.output + repr(res.exception)
    return root / "out" / "2026Q3"


@pytest.fixture(scope="module")
def summary(period) -> dict:
    return json.loads((period / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dashboard(period):
    soup = BeautifulSoup((period / "booklet.html").read_text(encoding="utf-8"), "html.parser")
    d = soup.find(id="dashboard")
    assert d is not None and d.find("h1").get_text(strip=True) == "经营仪表板"
    return d


def _accounts(summary):
    return {a["customer_id"]: a for a in summary["accounts"]}


def test_dashboard_headlines_are_the_summarys_in_order(dashboard, summary):
    assert summary["headlines"]
    shown = [li.get_text(" ", strip=True) for li in dashboard.select("ol.action-titles > li")]
    assert shown == [h["message"] for h in summary["headlines"]]


def test_dashboard_movers_are_the_summarys_with_their_change(dashboard, summary):
    accs = _accounts(summary)
    pf = summary["portfolio"]
    want = ([(accs[m["customer_id"]]["name"], "▲" + MONEY(m["change"])) for m in pf["movers_up"][:4]]
            + [(accs[m["customer_id"]]["name"], "▼" + MONEY(-m["change"])) for m in pf["movers_down"][:4]])
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")][:2]
            for tr in dashboard.select("table.movers tbody tr")]
    assert [tuple(r) for r in rows] == want


def test_dashboard_revenue_at_risk_rows_and_tile(dashboard, summary):
    key_high = [a for a in summary["accounts"]
                if a["tier"] == "key" and any(r["severity"] == "high" for r in a["risks"])]
    key_high.sort(key=lambda a: (-a["revenue_ttm"], a["customer_id"]))
    rows = dashboard.select("table.at-risk tbody tr")
    assert len(rows) == min(len(key_high), views.DASHBOARD_ROWS)
    for tr, a in zip(rows, key_high):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        assert cells[0] == a["name"]
        assert cells[1] == MONEY(a["revenue_ttm"])
        assert cells[3] == (a["account_manager"] or "—")
        assert cells[4] in {r["action"] for r in a["risks"]}          # the top risk's next step
        assert ("no-plan" in (tr.get("class") or [])) == any(r["code"] == "NO_ACTION_PLAN" for r in a["risks"])
    # revenue at risk = the TTM revenue of those key accounts (to the cent)
    assert round(sum(a["revenue_ttm"] for a in key_high), 2) == summary["portfolio"]["revenue_at_risk"]
    tiles = {k.select_one(".k").get_text(strip=True): k.select_one(".v").get_text(strip=True)
             for k in dashboard.select(".kpi")}
    assert tiles["风险销售额"] == MONEY(summary["portfolio"]["revenue_at_risk"])
    assert tiles["有高风险的重点客户"] == str(len(key_high))
    assert tiles["净推荐值"] == f'{fmt.num(summary["portfolio"]["nps"], 1)} 分'
    # the page says what "high risk" counts
    assert "高风险" in dashboard.select_one("p.def").get_text() and "40%" in dashboard.select_one("p.def").get_text()


def test_dashboard_decisions_are_the_key_accounts_with_no_plan(dashboard, summary):
    want = sorted((a for a in summary["accounts"] if any(r["code"] == "NO_ACTION_PLAN" for r in a["risks"])),
                  key=lambda a: (-a["revenue_ttm"], a["customer_id"]))
    got = [li.find("b").get_text(strip=True) for li in dashboard.select("ul.decisions > li")]
    assert got == [a["name"] for a in want][:views.DASHBOARD_ROWS]
    assert all(a["tier"] == "key" for a in want)


def test_contents_lists_the_dashboard_on_its_page(period):
    text = subprocess.run(["pdftotext", "-layout", str(period / "booklet.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout.split("\f")
    contents = next(p for p in text if "目录" in p)
    line = next(ln for ln in contents.splitlines() if "经营仪表板" in ln)
    page = int(line.split()[-1])
    assert "经营仪表板" in text[page - 1] and "风险销售额" in text[page - 1]
    assert "管理摘要" in text[page]          # the summary follows on the next page: the dashboard is one page


def test_account_plan_first_page_tells_the_quarter_and_next_steps(period, summary):
    key = [a for a in summary["accounts"] if a["tier"] == "key"]
    for a in key:
        soup = BeautifulSoup((period / a["files"]["html"]).read_text(encoding="utf-8"), "html.parser")
        story = soup.select_one("p.story").get_text(strip=True)
        assert story.startswith("本季销售额 " + MONEY(a["revenue_q"]))
        rows = soup.select("table.next-steps tbody tr.risk")
        assert len(rows) == len(a["risks"])
        assert {tr.find_all("td")[1].get_text(strip=True) for tr in rows} == {r["action"] for r in a["risks"]}
        no_plan = any(r["code"] == "NO_ACTION_PLAN" for r in a["risks"])
        assert (soup.select_one(".callout.warn") is not None) == no_plan
        assert ("有高风险但没有行动计划" in story) == no_plan
        trend = soup.select_one("table.trend4")
        assert [th.get_text(strip=True) for th in trend.select("thead th")][1:] == \
            [h["period"] for h in reversed(a["history"])]


# --------------------------------------------------------------------------
# the rules, on hand-made accounts

# a revenue drop of 20 % QoQ (the facts its message and next step quote)
DROP = Risk("REVENUE_DROP", "high", {"growth_qoq": -0.2, "growth_yoy": None, "drop": 0.2, "who": None, "manager": None})


def test_account_story_by_the_headline_rules():
    r, _ = make_result("zh")
    a = replace(r.accounts[0], revenue_q=1_200_000.0, revenue_pq=1_500_000.0, growth_qoq=-0.2,
                target_q=1_500_000.0, attainment_q=0.8, tier="ordinary", tier_prev="key",
                risks=(Risk("ACTION_OVERDUE", "medium", {"n": 1}), DROP,
                       Risk("NO_ACTION_PLAN", "medium", {"n": 1})))
    t = labels.translator("zh")
    assert views.account_story(a, r, t, "zh") == (
        "本季销售额 ¥120.0万，较上季度 ▼20.0%（-¥30.0万），完成目标 ¥150.0万 的 80%；"
        "已从重点客户降为普通客户；首要风险为销售下滑：环比 -20.0%，同比 —（预警线 -20.0%）；有高风险但没有行动计划。")
    # The risk message's own lead is not said twice ("销售下滑：销售额下降：…").
    led = replace(a, risks=(DROP,))
    assert views.account_story(led, r, t, "zh").endswith("；首要风险为销售下滑：环比 -20.0%，同比 —（预警线 -20.0%）。")
    assert "top risk: Revenue drop — growth QoQ -20.0%" in views.account_story(led, r, labels.translator("en"), "en")
    en = views.account_story(a, r, labels.translator("en"), "en")
    assert en.startswith("Revenue ¥1.20M this quarter, ▼20.0% on last quarter (-¥300.0K), 80% of its ¥1.50M target;")
    # the next steps: high risk first, NO_ACTION_PLAN flagged, owner the account manager
    steps = views.next_steps(a, [], t, r)
    assert [s["what"] for s in steps] == ["销售下滑", "高风险无行动计划", "行动逾期"]
    assert [s["flag"] for s in steps] == [False, True, False]
    assert {s["owner"] for s in steps} == {a.account_manager}


def test_dashboard_chart_counts_the_targeted_customers_only():
    r, d = make_result("zh")
    c1, c2 = r.accounts[0], r.accounts[1]
    from kamreport.model import Target
    q = r.period.q
    d2 = replace(d, targets=[Target(c1.customer_id, q[0], 100.0, None)])
    quarters = tuple(PortfolioQuarter(f"Q{i}", 1000.0, 800.0, 300.0 if i == 7 else None, None) for i in range(8))
    from kamreport.engine.results import QuarterRevenue
    acc = [replace(x, revenue_by_quarter=tuple(QuarterRevenue(f"Q{i}", 10.0 * (k + 1), None) for i in range(8)))
           for k, x in enumerate(r.accounts)]
    r2 = replace(r, accounts=tuple(acc), portfolio=replace(r.portfolio, revenue_by_quarter=quarters,
                                                           movers_up=(Mover(c2.customer_id, 50.0),)))
    ctx = views.booklet_front_context(r2, d2, [])
    chart = ctx["charts"]["revenue_target"]
    assert chart["revenue"] == [10.0] * 8                  # c1 only: the one customer with a target
    assert chart["target"] == [None] * 7 + [300.0]
    assert "1 家" in ctx["dashboard"]["chart_note"]
    assert ctx["dashboard"]["movers_up"][0]["change"] == 50.0
    svg = views.finish(ctx)["svg"]["revenue_target"]
    assert svg.startswith("<svg") and "Q7" in svg


def test_insufficient_health_is_never_green():
    r, d = make_result("zh")
    cid = r.accounts[0].customer_id
    a = replace(r.accounts[0], health=None, health_band="insufficient", health_coverage=0.45)
    r2 = replace(r, accounts=(a,) + r.accounts[1:])
    ctx = views.finish(views.account_context(r2, d, cid))
    env = render.make_env("zh", "CNY")
    soup = BeautifulSoup(render.render_template(env, "account.html", ctx), "html.parser")
    tile = next(k for k in soup.select(".kpi") if k.select_one(".k").get_text(strip=True) == "健康度")
    assert tile.select_one(".v").get_text(strip=True) == "数据不足"
    assert "band-green" not in tile["class"]


def test_risk_order_and_strategy_line():
    rs = [Risk("ACTION_OVERDUE", "medium"), Risk("CONTACT_OVERDUE", "high"), Risk("REVENUE_DROP", "high")]
    assert [x.code for x in sorted(rs, key=views.risk_order)] == ["REVENUE_DROP", "CONTACT_OVERDUE", "ACTION_OVERDUE"]
    assert views.strategy_line("甲乙；丙丁。") == "甲乙…"
    assert views.strategy_line("Build; then grow.") == "Build…"
    assert views.strategy_line("One line") == "One line"


def test_data_quality_counts_blank_key_fields():
    r, d = make_result("zh")
    accs = list(r.accounts)
    served = [a for a in accs if a.tier in ("key", "ordinary")]
    gaps = {g["key"]: g for g in views.data_gaps(r, labels.translator("zh"))}
    n_stage = sum(1 for a in accs if not a.relationship_stage)
    n_mgr = sum(1 for a in served if not a.account_manager)
    assert n_mgr >= 1                                      # C002 has none (the fixture)
    assert gaps["gap_manager"]["count"] == n_mgr and gaps["gap_manager"]["share"] == n_mgr / len(served)
    assert ("gap_stage" in gaps) == (n_stage > 0)
    ctx = views.booklet_appendix_context(r, d, None)
    html = render.render_template(render.make_env("zh", "CNY"), "booklet_appendix.html", views.finish(ctx))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("table.gaps") is not None
    assert "未发现数据问题" not in soup.get_text()
