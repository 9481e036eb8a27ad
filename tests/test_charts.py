"""SVG charts: deterministic, text kept as text, CJK drawn by WeasyPrint."""
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures_result import make_result  # noqa: E402

from kamreport import charts, views  # noqa: E402


@pytest.fixture(scope="module")
def drawn():
    r, d = make_result("zh")
    acc = views.finish(views.account_context(r, d, "C001"))
    front = views.finish(views.booklet_front_context(r, d, []))
    return {**acc["svg"], **front["svg"]}, acc, front


def test_every_chart_is_a_bare_svg_element(drawn):
    svgs, _, _ = drawn
    assert set(svgs) == {"revenue_trend", "health", "pyramid", "time", "pareto"}
    for name, svg in svgs.items():
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
        # account charts carry the account's anchor too (booklet.html joins accounts)
        prefix = f"acc-C001-{name}-" if name in acc["svg"] else name + "-"
        ids = re.findall(r'\bid="([^"]+)"', svg)
        assert ids and all(i.startswith(prefix) for i in ids), name
        for ref in re.findall(r"url\(#([^)]+)\)", svg):
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
