"""booklet.pptx (SPEC §6 Deck, §7 --format pptx): opened back with
python-pptx, its charts are native charts whose series hold summary.json's
figures, its tables native tables, its Chinese runs carry an East Asian
typeface, and the same inputs give the same bytes."""
from __future__ import annotations

import copy
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

pptx = pytest.importorskip("pptx")
from pptx import Presentation  # noqa: E402
from pptx.enum.chart import XL_CHART_TYPE  # noqa: E402

from kamreport import fmt
from kamreport.outputs import deck  # noqa: E402
from kamreport.report.labels import translator  # noqa: E402
from kamreport.build.pipeline import run_build  # noqa: E402
from kamreport.sample.workbooks import write_workbook  # noqa: E402

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def build(root: Path, lang: str = "zh", formats: str = "json,pptx,xlsx", name: str = "out") -> Path:
    book = root / f"sample-{lang}.xlsx"
    if not book.exists():
        write_workbook(str(book), lang=lang, blank=False, customers=20, seed=3)
    code = run_build(workbooks=[str(book)], out_dir=str(root / name), formats=formats, jobs=1, quiet=True)
    assert code == 0
    return root / name / "2026Q3"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("deck")
    folder = build(root)
    return folder, json.loads((folder / "summary.json").read_text("utf-8"))


def slides_by_title(prs):
    return [(s.shapes.title.text_frame.text if s.shapes.title is not None else "", s) for s in prs.slides]


def charts(slide):
    return [sh.chart for sh in slide.shapes if sh.has_chart]


def tables(slide):
    return [sh.table for sh in slide.shapes if sh.has_table]


def values(chart, i=0):
    return list(chart.plots[0].series[i].values)


def test_outputs_list_names_the_deck_and_workbook(built):
    folder, s = built
    assert "booklet.pptx" in s["outputs"] and "results.xlsx" in s["outputs"]
    assert (folder / "booklet.pptx").is_file() and (folder / "results.xlsx").is_file()


def test_slides_in_order_and_one_per_key_account(built):
    folder, s = built
    prs = Presentation(str(folder / "booklet.pptx"))
    titles = [t for t, _ in slides_by_title(prs)]
    key = [a for a in s["accounts"] if a["tier"] == "key"]
    assert key
    # title, dashboard, pyramid+time, ABC, matrix, migrations, >= 1 register slide, key accounts
    assert len(prs.slides) >= 7 + len(key)
    assert titles[2] == "客户金字塔与时间分配"
    assert titles[3] == "ABC分析（帕累托）"
    assert titles[4] == "客户组合矩阵"
    assert titles[5] == "客户类别变化"
    assert any(t.startswith("风险登记表") for t in titles)
    for a in key:
        assert sum(1 for t in titles if t.startswith(a["name"] + " · 重点客户")) == 1, a["name"]
    # the dashboard's title is the first headline when the summary has headlines
    if s.get("headlines"):
        assert titles[1] == s["headlines"][0]["message"]


def test_pyramid_and_time_are_native_bar_charts_with_the_summary_figures(built):
    folder, s = built
    prs = Presentation(str(folder / "booklet.pptx"))
    slide = prs.slides[2]
    pyr, time_ = charts(slide)
    for ch in (pyr, time_):
        assert ch.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
        assert [ser.name for ser in ch.plots[0].series] == ["实际", "目标"]
        # the embedded workbook is there: the data is editable in PowerPoint
        assert ch.part.chart_workbook.xlsx_part is not None
    groups = ["other", "ordinary", "key"]          # a bar chart's first category is at the bottom
    pf = s["portfolio"]
    assert list(pyr.plots[0].categories) == ["潜在及无吸引力客户", "普通客户", "重点客户"]
    assert values(pyr, 0) == [pf["tier_share"][g] for g in groups]
    assert values(pyr, 1) == [0.6, 0.3, 0.1]
    assert values(time_, 0) == [pf["time_share"][g] for g in groups]
    assert values(time_, 1) == [0.1, 0.3, 0.6]


def test_abc_chart_holds_the_accounts_basis_values(built):
    folder, s = built
    prs = Presentation(str(folder / "booklet.pptx"))
    (ch,) = charts(prs.slides[3])
    assert ch.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    want = sorted((a["gross_profit_ttm"] for a in s["accounts"] if (a["gross_profit_ttm"] or 0) > 0), reverse=True)
    assert values(ch) == pytest.approx(want)
    # the cumulative share: a line on a secondary axis, in the same chart and embedded workbook
    assert len(ch.plots) == 2 and ch.plots[1].series[0].name == "累计占比"
    cum = list(ch.plots[1].series[0].values)
    assert cum == pytest.approx([sum(want[:i + 1]) / sum(want) for i in range(len(want))], abs=1e-4)
    assert cum[-1] == 1.0
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(ch.part.chart_workbook.xlsx_part.blob)).active
    assert [sheet.cell(r, 3).value for r in range(2, len(want) + 2)] == cum
    (tbl,) = tables(prs.slides[3])
    assert [tbl.cell(r, 0).text for r in range(1, 5)] == ["A", "B", "C", "N"]
    assert [int(tbl.cell(r, 1).text) for r in range(1, 5)] == [s["portfolio"]["abc_counts"][c] for c in "ABCN"]


def test_matrix_and_migrations_are_native_tables(built):
    folder, s = built
    prs = Presentation(str(folder / "booklet.pptx"))
    (mx,) = tables(prs.slides[4])
    counts = 0
    for r in range(1, len(mx.rows)):
        for c in range(1, len(mx.columns)):
            text = mx.cell(r, c).text
            counts += int(text.split(" ")[0]) if text else 0
    assert counts == len(s["accounts"])
    mig = tables(prs.slides[5])[0]
    tiers = ["key", "ordinary", "prospect", "unattractive"]
    got = {p: {n: int(mig.cell(i + 1, j + 1).text) for j, n in enumerate(tiers)} for i, p in enumerate(tiers)}
    assert got == s["portfolio"]["migrations"]


def test_risk_register_lists_risks_with_next_steps(built):
    folder, s = built
    prs = Presentation(str(folder / "booklet.pptx"))
    reg = [sl for t, sl in slides_by_title(prs) if t.startswith("风险登记表")]
    rows = []
    for sl in reg:
        (tbl,) = tables(sl)
        assert len(tbl.rows) - 1 <= deck.TABLE_ROWS
        assert tbl.cell(0, 6).text == translator("zh")("next_step")
        rows += [[tbl.cell(r, c).text for c in range(len(tbl.columns))] for r in range(1, len(tbl.rows))]
    want = [(a, r) for a in s["accounts"] for r in a["risks"]
            if a["tier"] == "key" or (a["tier"] == "ordinary" and r["severity"] == "high")]
    assert len(rows) == len(want)
    if any("action" in r for _, r in want):
        assert all(row[6] != "—" for row in rows)


def test_account_slide_health_components_and_kpis(built):
    folder, s = built
    prs = Presentation(str(folder / "booklet.pptx"))
    key = [a for a in s["accounts"] if a["tier"] == "key"]
    by_title = dict(slides_by_title(prs))
    for a in key:
        slide = next(sl for t, sl in by_title.items() if t.startswith(a["name"] + " · 重点客户"))
        health = next(ch for ch in charts(slide) if ch.chart_type == XL_CHART_TYPE.BAR_CLUSTERED)
        order = ["execution", "service", "engagement", "satisfaction", "growth"]
        assert values(health) == [a["health_components"][c] for c in order]
        trend = next(ch for ch in charts(slide) if ch.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED)
        assert values(trend) == [q["revenue"] for q in a["revenue_by_quarter"]]
        kpi = tables(slide)[0]
        texts = {kpi.cell(r, 0).text: kpi.cell(r, 1).text for r in range(1, len(kpi.rows))}
        # The booklet's money convention (万/亿 in Chinese, issue 16), not ¥515,300.
        assert texts["本期销售额"] == fmt.make_money_short("CNY", "zh")(a["revenue_q"])
        assert a["revenue_q"] < 10_000 or texts["本期销售额"].endswith(("万", "亿"))
        if a["risks"]:
            risk_tbl = tables(slide)[1]
            assert len(risk_tbl.rows) - 1 == min(len(a["risks"]), deck.ACCOUNT_RISK_ROWS)


def test_every_run_names_an_east_asian_typeface(built):
    folder, _ = built
    prs = Presentation(str(folder / "booklet.pptx"))
    chinese = 0
    for slide in prs.slides:
        for sh in slide.shapes:
            frames = [sh.text_frame] if sh.has_text_frame else []
            if sh.has_table:
                frames += [c.text_frame for row in sh.table.rows for c in row.cells]
            for tf in frames:
                for p in tf.paragraphs:
                    for r in p.runs:
                        if not r.text:
                            continue
                        assert "{" not in r.text, r.text          # no label with an unfilled placeholder
                        ea = r._r.find(f"{A}rPr/{A}ea")
                        assert ea is not None and ea.get("typeface"), r.text
                        if any("\u4e00" <= ch <= "\u9fff" for ch in r.text):
                            chinese += 1
                            assert r._r.find(f"{A}rPr").get("lang") == "zh-CN"
            if sh.has_chart:
                assert sh.chart.font._rPr.find(f"{A}ea").get("typeface") == deck.EA
    assert chinese > 50


def test_same_inputs_same_bytes_fixed_dates(built, tmp_path):
    folder, s = built
    again = build(tmp_path)
    assert (again / "booklet.pptx").read_bytes() == (folder / "booklet.pptx").read_bytes()
    data = (folder / "booklet.pptx").read_bytes()
    z = zipfile.ZipFile(io.BytesIO(data))
    assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = z.read("docProps/core.xml").decode()
    assert f"{s['as_of']}T00:00:00Z" in core and "2013" not in core
    embedded = [n for n in z.namelist() if n.endswith(".xlsx")]
    assert embedded
    for n in embedded:
        inner = zipfile.ZipFile(io.BytesIO(z.read(n)))
        assert {i.date_time for i in inner.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert f"{s['as_of']}T00:00:00Z" in inner.read("docProps/core.xml").decode()
    prs = Presentation(io.BytesIO(data))
    assert prs.core_properties.created.date().isoformat() == s["as_of"]


def test_brand_colour_and_logo(built, tmp_path):
    _, s = built
    from PIL import Image
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (200, 30, 30)).save(logo)
    data = deck.deck_bytes(s, "zh", "#c81e1e", str(logo))
    prs = Presentation(io.BytesIO(data))
    pics = [sh for sl in prs.slides for sh in sl.shapes if sh.shape_type == 13]
    assert len(pics) == len(prs.slides)           # on the title slide and every other
    xml = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n) for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
                   if n.startswith("ppt/slides/slide"))
    assert b'val="C81E1E"' in xml
    # an SVG (or anything but PNG / JPEG) is left out, not an error
    svg = tmp_path / "logo.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    prs = Presentation(io.BytesIO(deck.deck_bytes(s, "zh", "#c81e1e", str(svg))))
    assert not [sh for sl in prs.slides for sh in sl.shapes if sh.shape_type == 13]


def test_long_register_continues_on_more_slides_and_sparse_summary(built):
    _, s = built
    s = copy.deepcopy(s)
    key = next(a for a in s["accounts"] if a["tier"] == "key")
    key["risks"] = [{"code": "ACTION_OVERDUE", "severity": "medium", "message": "x" * 500,
                     "action": "=cmd|' /C calc'!A0"} for _ in range(30)]
    other = next(a for a in s["accounts"] if a["tier"] == "key" and a is not key)
    other["name"] = "Evil\u202eCorp\u2066"
    data = deck.deck_bytes(s, "zh", None, None)
    z = zipfile.ZipFile(io.BytesIO(data))
    xml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    assert "\u202e" not in xml and "\u2066" not in xml and "EvilCorp" in xml   # no bidi controls
    prs = Presentation(io.BytesIO(data))
    reg = [sl for t, sl in slides_by_title(prs) if t.startswith("风险登记表")]
    total = sum(len(tables(sl)[0].rows) - 1 for sl in reg)
    assert len(reg) >= 3 and all(len(tables(sl)[0].rows) - 1 <= deck.TABLE_ROWS for sl in reg)
    assert total >= 30
    cont = [t for t, _ in slides_by_title(prs) if t.startswith(key["name"] + " · 风险预警")]
    assert cont                                  # the account's own risks continue too
    # a summary without the v1.1 keys (no headlines, movers, targets, actions) still makes a deck
    from conftest import summary_doc
    prs = Presentation(io.BytesIO(deck.deck_bytes(summary_doc(language="en"), "en", None, None)))
    titles = [t for t, _ in slides_by_title(prs)]
    assert titles[1] == "Dashboard · 2026Q3" and titles[2] == "Customer pyramid and time allocation"
    # nothing at all: still a deck (title, dashboard, portfolio slides), no error
    assert len(Presentation(io.BytesIO(deck.deck_bytes({}, "en", None, None))).slides) >= 7


def test_english_deck_and_pptx_alone(tmp_path):
    folder = build(tmp_path, lang="en", formats="pptx")
    assert sorted(p.name for p in folder.iterdir()) == ["booklet.pptx", "problems.csv"]
    prs = Presentation(str(folder / "booklet.pptx"))
    titles = [t for t, _ in slides_by_title(prs)]
    assert "Customer pyramid and time allocation" in titles
    assert charts(prs.slides[2])[0].plots[0].series[0].name == "Actual"


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_libreoffice_opens_the_deck(built, tmp_path):
    """An independent reader: LibreOffice converts the deck to a PDF of one page per slide."""
    folder, _ = built
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    env = dict(os.environ, HOME=str(tmp_path))          # its own profile, not the user's
    subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(folder / "booklet.pptx")], check=True, timeout=240, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from pypdf import PdfReader
    pages = len(PdfReader(str(tmp_path / "booklet.pdf")).pages)
    assert pages == len(Presentation(str(folder / "booklet.pptx")).slides)


def test_settings_brand_colour_and_logo_reach_the_deck(tmp_path, capsys):
    from openpyxl import load_workbook
    from PIL import Image
    book = tmp_path / "sample-en.xlsx"
    write_workbook(str(book), lang="en", blank=False, customers=20, seed=3)
    Image.new("RGB", (90, 30), (10, 120, 60)).save(tmp_path / "logo.png")
    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    for logo, name in (("logo.png", "png"), ("logo.svg", "svg")):
        wb = load_workbook(book)
        ws = wb["Settings"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "brand_color":
                row[1].value = "#0a783c"
        ws.append(["logo", logo])
        wb.save(tmp_path / f"{name}.xlsx")
        assert run_build(workbooks=[str(tmp_path / f"{name}.xlsx")], out_dir=str(tmp_path / name),
                         formats="pptx", jobs=1, quiet=False) == 0
        data = (tmp_path / name / "2026Q3" / "booklet.pptx").read_bytes()
        prs = Presentation(io.BytesIO(data))
        pics = [sh for sl in prs.slides for sh in sl.shapes if sh.shape_type == 13]
        assert len(pics) == (len(prs.slides) if name == "png" else 0)
        z = zipfile.ZipFile(io.BytesIO(data))
        assert b'val="0A783C"' in z.read("ppt/slides/slide2.xml")
    err = capsys.readouterr().err
    assert "booklet.pptx takes a PNG or JPEG logo" in err and "logo.svg" in err


def test_migrations_slide_lists_moves_into_and_out_of_key(built):
    folder, s = built
    prs = Presentation(str(folder / "booklet.pptx"))
    mig = tables(prs.slides[5])
    keyish = [a for a in s["accounts"] if a["move"] != "same" and "key" in (a["tier"], a["tier_prev"])]
    listed = [mig[1].cell(r, 0).text for r in range(1, len(mig[1].rows))] if len(mig) > 1 else []
    order = ["key", "ordinary", "prospect", "unattractive"]
    want = sorted(keyish, key=lambda a: (a["move"] != "up", order.index(a["tier"]), a["customer_id"]))
    assert listed == [a["name"] for a in want][:deck.TABLE_ROWS]
    others = sum(1 for a in s["accounts"] if a["move"] != "same") - len(keyish)
    notes = [sh.text_frame.text for sh in prs.slides[5].shapes if sh.has_text_frame]
    assert (f"另有 {others} 家客户" in " ".join(notes)) == (others > 0)


def test_staff_scorecards_slide(built):
    folder, s = built
    prs = Presentation(str(folder / "booklet.pptx"))
    slides = [sl for t, sl in slides_by_title(prs) if t.startswith("客户经理考核")]
    rows = [tables(sl)[0] for sl in slides]
    names = [tb.cell(r, 0).text for tb in rows for r in range(1, len(tb.rows))]
    assert names == [m["account_manager"] or "（未指定）" for m in s["managers"]]
