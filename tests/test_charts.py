"""SVG charts: deterministic, text kept as text, CJK drawn by WeasyPrint."""
import logging
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures_result import make_result  # noqa: E402

from kamreport.report import charts, views  # noqa: E402


@pytest.fixture(scope="module")
def drawn():
    r, d = make_result("zh")
    acc = views.finish(views.account_context(r, d, "C001"))
    front = views.finish(views.booklet_front_context(r, d, []))
    return {**acc["svg"], **front["svg"]}, acc, front


def test_every_chart_is_a_bare_svg_element(drawn):
    svgs, _, _ = drawn
    assert set(svgs) == {"revenue_trend", "health", "pyramid", "time", "pareto", "revenue_target"}
    assert svgs["revenue_target"] is None          # the fixture has no quarters: no empty chart
    for name, svg in svgs.items():
        if svg is None:
            continue
        assert svg.startswith("<svg") and svg.endswith("</svg>"), name
        assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
        assert "<style" not in svg                 # would leak into the HTML page
        assert ' style="' not in svg               # presentation attributes instead
        assert not re.search(r'\swidth="', svg.split(">", 1)[0])   # sized by CSS, not in pt
        assert "viewBox" in svg.split(">", 1)[0]
        # no date or tool version in metadata: byte-identical across runs
        assert not re.search(r"20\d\d-\d\d-\d\dT", svg)
        assert "<script" not in svg and "href=\"http" not in svg


def test_drawing_twice_gives_identical_bytes(drawn):
    svgs, acc, _ = drawn
    again = charts.draw("revenue_trend", acc["charts"]["revenue_trend"], id_prefix="acc-C001-revenue_trend")
    assert again == svgs["revenue_trend"]


def test_ids_are_prefixed_per_chart_and_per_account(drawn):
    svgs, acc, _ = drawn
    for name, svg in svgs.items():
        if svg is None:
            continue
        # account charts carry the account's anchor too (booklet.html joins accounts)
        prefix = f"acc-C001-{name}-" if name in acc["svg"] else name + "-"
        ids = re.findall(r'\bid="([^"]+)"', svg)
        if name in ("revenue_trend", "health"):
            assert all(i.startswith(prefix) for i in ids), name   # plain SVG: no ids needed
        else:
            assert ids and all(i.startswith(prefix) for i in ids), name
        for ref in re.findall(r"url\(#([^)]+)\)", svg):
            assert ref in ids, (name, ref)
        for ref in re.findall(r'href="#([^"]+)"', svg):
            assert ref in ids, (name, ref)
    r, d = make_result("zh")
    other = views.finish(views.account_context(r, d, "C002"))["svg"]["revenue_trend"]
    assert not set(re.findall(r'\bid="([^"]+)"', other)) & set(re.findall(r'\bid="([^"]+)"', svgs["revenue_trend"]))


def test_text_stays_text_with_a_cjk_font(drawn):
    svgs, _, _ = drawn
    trend = svgs["revenue_trend"]
    assert "<text" in trend and "2026Q3" in trend
    assert "销售额" in trend and "毛利" in trend          # legend, in Chinese
    assert "万" in trend                                   # axis in 万 for zh
    assert "Noto Sans CJK SC" in trend
    assert "毛利" in svgs["pareto"] and "累计占比" in svgs["pareto"]   # y axis, line legend


def test_revenue_trend_with_missing_gross_profit_and_health_with_missing_component():
    base = {"lang": "en", "brand": "#1f4e79", "names": ["Revenue", "Gross profit"]}
    svg = charts.draw("revenue_trend", {**base, "kind": "revenue_trend", "labels": ["Q1", "Q2"],
                                        "revenue": [100.0, -20.0], "gross_profit": [None, None]})
    assert "Gross profit" not in svg and "Revenue" in svg   # no line, no legend entry
    svg = charts.draw("health", {"kind": "health", "lang": "en", "brand": "#1f4e79",
                                 "labels": ["Growth", "Execution"], "values": [55.0, None],
                                 "weights": [0.3, 0.1]})
    assert "—" in svg and "55.0" in svg


def test_pareto_of_an_empty_portfolio_draws():
    svg = charts.draw("pareto", {"kind": "pareto", "lang": "en", "brand": "#1f4e79", "values": [],
                                 "cumulative": [], "classes": [], "cuts": [0.7, 0.9],
                                 "names": ["gross profit", "Cumulative share"], "xlabel": "Customers"})
    assert "70%" in svg and "90%" in svg


@pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdffonts"), reason="poppler-utils")
def test_weasyprint_draws_the_chinese_chart_text_with_an_embedded_cjk_font(drawn, tmp_path, caplog):
    """svg.fonttype 'none' keeps labels as text; WeasyPrint must draw them
    with Noto Sans CJK (not boxes) and log no warning about the SVG."""
    import weasyprint
    svgs, _, _ = drawn
    html = f'<html><body style="font-family: DejaVu Sans"><div style="width: 170mm">{svgs["revenue_trend"]}</div></body></html>'
    pdf = tmp_path / "chart.pdf"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        weasyprint.HTML(string=html).write_pdf(pdf)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")], caplog.text
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "销售额" in text and "2026Q3" in text and "万" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK" in fonts.replace(" ", "-")


def test_pyramid_labels_every_layer_with_count_share_and_target():
    svg = charts.draw("pyramid", {"kind": "pyramid", "lang": "en", "brand": "#1f4e79",
                                  "labels": ["Key account", "Ordinary customer", "Prospects & unattractive"],
                                  "counts": [22, 74, 54], "actual": [22 / 150, 74 / 150, 54 / 150],
                                  "target": [0.1, 0.3, 0.6], "names": ["Actual", "Target"]})
    # 22 / 150 = 14.67 % -> "14.7%"; 74 / 150 = 49.33 % -> "49.3%"; 54 / 150 = 36.0 %
    for text in ("Key account", "22", "14.7%, Target 10%", "49.3%, Target 30%", "36.0%, Target 60%"):
        assert text in svg, text
    assert svg.count("<path") >= 3          # three layers


# --------------------------------------------------------------------------
# revenue_trend and health: plain SVG strings, no matplotlib

BASE = {"lang": "en", "brand": "#1f4e79", "names": ["Revenue", "Gross profit"]}


def trend(revenue, gross_profit=None, labels=None, lang="en", names=None):
    labels = labels or [f"Q{i + 1}" for i in range(len(revenue))]
    return charts.draw("revenue_trend", {**BASE, "lang": lang, "names": names or BASE["names"],
                                         "kind": "revenue_trend", "labels": labels, "revenue": revenue,
                                         "gross_profit": gross_profit})


def health(values, labels=None):
    labels = labels or [f"C{i}" for i in range(len(values))]
    return charts.draw("health", {"kind": "health", "lang": "en", "brand": "#1f4e79", "labels": labels,
                                  "values": values, "weights": [0.2] * len(values)}, id_prefix="acc-X-health")


def texts(svg):
    import html
    return [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def ticks(svg):
    """The y tick labels (text-anchor end, left of the plot) of a revenue_trend."""
    import html
    return [html.unescape(t) for t in re.findall(r'<text\b[^>]*text-anchor="end"[^>]*>([^<]*)</text>', svg)]


def test_account_charts_do_not_import_matplotlib():
    code = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from fixtures_result import make_result\n"
        "from kamreport.report import views\n"
        "r, d = make_result('zh')\n"
        "ctx = views.finish(views.account_context(r, d, 'C001'))\n"
        "assert set(ctx['svg']) == {'revenue_trend', 'health'}, set(ctx['svg'])\n"
        "assert all(s.startswith('<svg') for s in ctx['svg'].values())\n"
        "print('matplotlib' in sys.modules, any(m.startswith('matplotlib') for m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, check=True).stdout
    assert out.split() == ["False", "False"]


def test_plain_charts_keep_the_svg_contract():
    for name, svg, (w, h) in (("revenue_trend", trend([100.0, 200.0], [20.0, 40.0]), ("504", "154.8")),
                              ("health", health([50.0, 90.0, None]), ("216", str(round((0.3 * 3 + 0.45) * 72, 2))))):
        head = svg.split(">", 1)[0]
        assert svg.startswith("<svg") and svg.endswith("</svg>") and svg.count("<svg") == 1
        assert f'class="chart-svg chart-{name}"' in head
        assert f'viewBox="0 0 {w} {h}"' in head and f'data-width="{w}"' in head and f'data-height="{h}"' in head
        assert not re.search(r'\s(width|height)="', head)
        assert " style=" not in svg and "<style" not in svg and "<?xml" not in svg
        assert "Noto Sans CJK SC, Noto Sans CJK JP, DejaVu Sans, sans-serif" in svg


def test_plain_charts_escape_labels():
    evil = '<b>&"'
    svg = trend([1e6, 2e6], [1e5, 2e5], labels=[evil, "Q2"], names=[evil, "GP " + evil])
    assert "<b>" not in svg and "&lt;b&gt;&amp;&quot;" in svg
    assert evil in texts(svg) and "GP " + evil in texts(svg)
    svg = health([55.0, None], labels=[evil, "x'y"])
    assert "<b>" not in svg and evil in texts(svg) and "x'y" in texts(svg)
    import xml.dom.minidom
    xml.dom.minidom.parseString(svg)                    # still well-formed XML


def test_negative_revenue_gets_a_tick_below_zero():
    svg = trend([3e6, -1.2e6, 2e6], [5e5, -3e5, 4e5])
    labels = ticks(svg)
    assert "0" in labels and any(t.startswith("-") for t in labels), labels
    assert labels == sorted(labels, key=charts._label_value)       # drawn bottom-up
    assert 4 <= len(labels) <= 7, labels
    # all negative: zero is the top tick
    labels = ticks(trend([-5e4, -8e4]))
    assert labels[-1] == "0" and all(t.startswith("-") for t in labels[:-1]), labels


def test_tick_values_are_round_and_labels_exact():
    for values, lang in (([2.4e6, 3.45e6], "zh"), ([1.2e8, 3.9e8], "zh"), ([12345.0, 15000.0], "zh"),
                         ([7.0, 3.0], "en"), ([2.5e9, 1e9], "en"), ([123456.0], "en")):
        labels = ticks(trend(values, lang=lang))
        vals = [charts._label_value(t) for t in labels]
        assert 3 <= len(labels) <= 6 and len(set(labels)) == len(labels), (values, labels)
        steps = {round(b - a, 6) for a, b in zip(vals, vals[1:])}
        assert len(steps) == 1, (values, labels)
        step = steps.pop()
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert round(mantissa, 6) in (1, 2, 2.5, 5), (values, labels)
    assert "亿" in "".join(ticks(trend([1.2e8, 3.9e8], lang="zh")))


def test_missing_and_zero_values_draw():
    svg = trend([0.0, 0.0, 0.0], [None, None, None])
    assert ticks(svg) == ["0"] and "Gross profit" not in svg and "<circle" not in svg
    svg = trend([], [])
    assert svg.startswith("<svg") and ticks(svg) == ["0"]
    # a gap in the gross profit line: only the non-missing points
    svg = trend([1e5, 2e5, 3e5, 4e5], [1e4, None, 3e4, 4e4])
    assert svg.count("<circle") == 3 + 1                # three points + the legend marker
    line = re.search(r'<path d="(M[^"]*)" fill="none" stroke="#d9822b" stroke-width="1.6"', svg).group(1)
    assert line.count("L") == 2
    # a single quarter, revenue None
    svg = trend([None], [None], labels=["2026Q3"])
    assert "2026Q3" in texts(svg)
    svg = trend([5e5], [1e5], labels=["2026Q3"])
    assert svg.count("<rect") == 1 + 1 + 1 + 1           # background, bar, legend patch, gross profit label
    svg = health([None, None])
    assert texts(svg).count("—") == 2
    assert health([]).startswith("<svg")


def test_health_bars_scores_and_bands():
    svg = health([90.0, 50.0, 10.0, None])
    t = texts(svg)
    for s in ("90.0", "50.0", "10.0", "—", "0", "40", "70", "100"):
        assert s in t, s
    assert '#2e7d32' in svg and '#e09b00' in svg and '#c62828' in svg
    assert re.search(r'text-anchor="end" fill="#ffffff">90\.0<', svg)   # inside the bar end
    assert re.search(r'text-anchor="start" fill="#2b3440">50\.0<', svg)
    assert svg.count('stroke-dasharray') == 2


def test_plain_charts_are_deterministic():
    import random
    rng = random.Random(7)
    rev = [rng.uniform(-1e6, 5e7) for _ in range(8)]
    gp = [rng.uniform(-1e5, 1e7) if i % 3 else None for i in range(8)]
    assert trend(rev, gp, lang="zh") == trend(list(rev), list(gp), lang="zh")
    assert health([85.1, 80.0, None, 12.3]) == health([85.1, 80.0, None, 12.3])


_STALE_MATPLOTLIB = r'''
import sys, warnings
sys.path.insert(0, sys.argv[1])
import matplotlib.font_manager as fm
# matplotlib without the CJK fonts in its list: before 3.11 it skips .ttc
# collections (Noto CJK is one), and its cache misses fonts installed later.
fm.fontManager.ttflist = [e for e in fm.fontManager.ttflist if "CJK" not in e.name]
fm.fontManager._findfont_cached.cache_clear()
from fixtures_result import make_result
from kamreport.report import charts, views
if sys.argv[2] == "unregistered":
    charts._register_cjk_fonts = lambda manager: []
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    r, d = make_result("zh")
    front = views.finish(views.booklet_front_context(r, d, []))
missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
print(len(missing))
print(sorted(set(e.name for e in fm.fontManager.ttflist if "CJK" in e.name))[:1])
import re
print(sorted(set(re.findall(r'font-family="([^"]*)"', "".join(v for v in front["svg"].values() if v)))))
'''


def _draw_in_a_stale_matplotlib(how: str) -> list[str]:
    res = subprocess.run([sys.executable, "-c", _STALE_MATPLOTLIB, str(Path(__file__).resolve().parent), how],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return res.stdout.splitlines()


def test_chinese_labels_are_measured_with_the_pdfs_cjk_font():
    """The CJK font fontconfig gives the PDF is registered with matplotlib
    (charts._register_cjk_fonts): no "Glyph missing from DejaVu Sans", and
    the SVG names the same font stack as before."""
    missing, registered, families = _draw_in_a_stale_matplotlib("registered")
    assert missing == "0" and "Noto Sans CJK" in registered
    assert families == repr(["'Noto Sans CJK SC', 'Noto Sans CJK JP', 'DejaVu Sans', sans-serif"])
    # The simulation is real: without the registration, Chinese labels miss glyphs.
    missing, _, _ = _draw_in_a_stale_matplotlib("unregistered")
    assert int(missing) > 10


def test_revenue_trend_prints_the_latest_revenue_and_gross_profit():
    """Gross profit is a flat line near the axis on the revenue scale: its
    latest figure is printed (and the latest revenue above its bar)."""
    svg = trend([3e6, 4e6, 5.2e6], [3e5, 3.5e5, 4.1e5])
    assert "5.2M" in texts(svg) and "410K" in texts(svg)
    assert re.search(r'fill="#d9822b">410K</text>', svg)
    assert "5.2M" not in ticks(svg) and "410K" not in ticks(svg)
    zh = trend([3e6, 4e6, 5.2e6], [3e5, 3.5e5, None], lang="zh")
    assert "520万" in texts(zh) and not any(t.endswith("万") and t.startswith("35") for t in texts(zh))
