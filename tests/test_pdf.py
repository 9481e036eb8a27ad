"""PDF pieces: contained fetcher, deterministic bytes, frames, assembly, fonts."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from pypdf import PdfReader
from pypdf.generic import NullObject

from kamreport.pdf import (booklet as pdf_booklet, fetcher as pdf_fetcher, fonts as pdf_fonts,
                           internals as pdf_internals, pieces as pdf_pieces)
from kamreport.build import jobs as render
from kamreport.atomic import write_atomic

WHEN = datetime(2026, 9, 30, tzinfo=timezone.utc)


def _text(data: bytes, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(args + ["-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _piece(html: str, templates_dir: Path | None = None) -> pdf_pieces.Piece:
    fetcher = pdf_fetcher.make_fetcher(render.packaged_dir(), templates_dir)
    with pdf_fetcher.capture_warnings() as cap:
        piece = pdf_pieces.layout_and_write(html, render.packaged_dir().as_uri() + "/", fetcher, when=WHEN)
    assert cap.warnings == [], cap.warnings
    return piece


def _pdf(piece: pdf_pieces.Piece) -> bytes:
    """A piece alone as a PDF, written as the booklet is."""
    return pdf_booklet.assemble([piece], None, pdf_pieces.Meta("T", "", "", "zh", WHEN, "k"))


def test_fetcher_serves_data_and_template_files_only(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "extra.css").write_text("p{}", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    f = pdf_fetcher.make_fetcher(render.packaged_dir(), user)
    assert f.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    assert f.fetch((render.packaged_dir() / "frame.html").as_uri()).read().startswith(b"{#")
    assert f.fetch((user / "extra.css").as_uri()).read() == b"p{}"
    # A packaged name is served from --templates when it has a file of that name.
    (user / "frame.html").write_text("mine", encoding="utf-8")
    assert f.fetch((render.packaged_dir() / "frame.html").as_uri()).read() == b"mine"
    with pdf_fetcher.capture_warnings() as cap:
        for url in [secret.as_uri(), "file:///etc/passwd", (user / ".." / "secret.txt").as_uri(),
                    "http://127.0.0.1:9/", "https://example.com/", "ftp://x/", "file://evil-host/etc/passwd",
                    (render.packaged_dir() / ".." / "__init__.py").as_uri(), "javascript:alert(1)"]:
            with pytest.raises(ValueError):
                f.fetch(url)
    assert len(cap.warnings) == 9 and all("refused" in w for w in cap.warnings)


def test_symlink_out_of_the_templates_folder_is_refused(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (tmp_path / "secret.css").write_text("secret", encoding="utf-8")
    (user / "link.css").symlink_to(tmp_path / "secret.css")
    f = pdf_fetcher.make_fetcher(render.packaged_dir(), user)
    with pdf_fetcher.capture_warnings(), pytest.raises(ValueError):
        f.fetch((user / "link.css").as_uri())


def test_piece_records_pages_anchors_bookmarks_and_foreign_links():
    html = ('<html><body><h1 id="a">客户甲</h1><p style="break-after: page">x</p>'
            '<h1 id="b">客户乙</h1><a href="#elsewhere">link</a></body></html>')
    p = _piece(html)
    assert p.pages == 2
    assert p.anchors == {"a": 0, "b": 1}
    assert [(lvl, label, i, anc) for lvl, label, i, anc in p.bookmarks] == [(1, "客户甲", 0, "a"), (1, "客户乙", 1, "b")]
    assert [(lk.page, lk.anchor) for lk in p.links] == [(1, "elsewhere")]
    x0, y0, x1, y1 = p.links[0].rect
    assert 0 <= x0 < x1 <= 595.3 and 0 <= y0 < y1 <= 841.9      # inside an A4 page, in points


def test_same_html_gives_same_bytes_in_another_process(tmp_path):
    html = "<html><body><h1>华东精密 Acme</h1><p>重点客户</p></body></html>"
    here = _pdf(_piece(html))
    code = (
        "import sys; from datetime import datetime, timezone\n"
        "from kamreport.pdf import booklet as pdf_booklet, fetcher as pdf_fetcher, pieces as pdf_pieces\n"
        "from kamreport.build import jobs as render\n"
        "f = pdf_fetcher.make_fetcher(render.packaged_dir())\n"
        "when = datetime(2026, 9, 30, tzinfo=timezone.utc)\n"
        f"p = pdf_pieces.layout_and_write({html!r}, render.packaged_dir().as_uri() + '/', f, when=when)\n"
        "sys.stdout.buffer.write(pdf_booklet.assemble([p], None, pdf_pieces.Meta('T', '', '', 'zh', when, 'k')))\n")
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1790726400"))
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env).stdout
    assert here == there
    info = PdfReader(io.BytesIO(here)).metadata
    assert info["/CreationDate"].startswith("D:20260930")


def test_source_date_prefers_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert pdf_pieces.source_date(WHEN.date()) == datetime(1970, 1, 1, tzinfo=timezone.utc)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert pdf_pieces.source_date(WHEN.date()) == WHEN


def test_assemble_stamps_frames_restores_links_and_sets_metadata():
    a = _piece('<html><body><h1 id="toc">目录</h1><a href="#acct">客户乙 →</a></body></html>')
    b = _piece('<html><body><h1 id="acct">客户乙</h1><p style="break-after: page">一</p><p>二</p></body></html>')
    render.init_worker(render.RenderSpec("zh", "CNY", None, WHEN, "华东公司", "季度报告", "2026Q3"))
    # As the build makes them: frame chunks without the total, which one
    # overlay page draws on every framed page.
    frames = [render.render_frame([{"number": n, "total": None, "right": "2026Q3", "blank": n == 1}
                                   for n in chunk]) for chunk in ((1,), (2, 3))]
    overlay = render.render_frame([{"number": None, "total": 3, "right": None, "blank": False}])
    meta = pdf_pieces.Meta("季度报告", "华东公司", "2026Q3", "zh", WHEN, "booklet")
    args = dict(outline=[("客户乙", 1)], frame_skip=frozenset({0}), overlay=overlay)
    data = pdf_booklet.assemble([a, b], frames, meta, **args)
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == 3
    assert "页" not in _text(data, 1) and "3" not in _text(data, 1)       # the cover: no frame, no overlay
    for n in (2, 3):
        assert f"第{n}页/共3页" in _text(data, n).replace(" ", "")
        assert "客户乙" in _text(data, 2)
    # Named destinations: each anchor on its page of the booklet.
    assert {k: reader.get_destination_page_number(v) for k, v in reader.named_destinations.items()} == \
        {"toc": 0, "acct": 1}
    # The link on page 1 now goes to page 2, where its anchor is.
    annots = [x.get_object() for x in reader.pages[0].get("/Annots", [])]
    targets = [(an["/Dest"] if "/Dest" in an else an["/A"]["/D"])[0] for an in annots]
    assert reader.pages[1].indirect_reference in targets
    assert [o.title for o in reader.outline] == ["客户乙"]
    assert reader.metadata["/Author"] == "华东公司" and reader.metadata["/ModDate"] == "D:20260930000000Z"
    assert reader.trailer["/ID"][0] == reader.trailer["/ID"][1]
    # Determinism of the assembly itself.
    assert data == pdf_booklet.assemble([a, b], frames, meta, **args)
    # Every cross-reference entry points at its object, and startxref at the table.
    table = data[data.rindex(b"\nxref\n") + 1:]
    assert int(data.split(b"startxref\n")[-1].split()[0]) == len(data) - len(table)
    lines = table.split(b"\n")
    size = int(lines[1].split()[1])
    for n, line in enumerate(lines[2:2 + size]):
        if n:
            assert data[int(line[:10]):].startswith(b"%d 0 obj\n" % n)


def test_a_link_to_an_anchor_no_piece_has_goes_nowhere():
    a = _piece('<html><body><a href="#nowhere">?</a> <a href="#here">!</a></body></html>')
    b = _piece('<html><body><h1 id="here">这里</h1></body></html>')
    reader = PdfReader(io.BytesIO(pdf_booklet.assemble([a, b], None, pdf_pieces.Meta("T", "", "", "zh", WHEN, "k"))))
    annots = [x.get_object() for x in reader.pages[0]["/Annots"]]
    links = [an for an in annots if not isinstance(an, NullObject)]
    assert len(annots) == 2 and len(links) == 1                 # the other one is null
    assert links[0]["/Dest"][0] == reader.pages[1].indirect_reference


def _rejoin(segments: tuple) -> bytes:
    return b"".join(x if isinstance(x, bytes) else b"%d 0 R" % x for x in segments)


def test_segments_split_out_references_but_not_text_in_strings():
    import pydyf
    d = pydyf.Dictionary({"Type": "/Page", "Parent": b"1 0 R", "Title": pydyf.String("see 3 0 R (x)"),
                          "Kids": pydyf.Array([12, 0, "R", 7, 0, "R"]), "Rect": pydyf.Array([10, 0, 20.5, 30])})
    assert pdf_pieces._segments(d) == (b"<</Type /Page/Parent ", 1, b"/Title (see 3 0 R \\(x\\))/Kids [", 12, b" ", 7,
                                b"]/Rect [10 0 20.5 30]>>")


def _pdf_values():
    import pydyf
    leaves = st.one_of(
        st.integers(-10**6, 10**6), st.floats(-1e4, 1e4, allow_nan=False).map(lambda f: round(f, 3)),
        st.sampled_from(["/Name", "/XYZ", "/F1", "null", "true"]),
        st.integers(1, 10**5).map(lambda n: b"%d 0 R" % n),
        st.text(max_size=12).map(pydyf.String),
        st.sampled_from(["3 0 R", "(1 0 R", ") 2 0 R (", "\\", "12 0 R)"]).map(pydyf.String))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=5).map(pydyf.Array),
        st.dictionaries(st.sampled_from(["A", "B", "Kids", "Dest", "Title"]), inner, max_size=4).map(
            pydyf.Dictionary)), max_leaves=20)


def _references(value) -> list[int]:
    import pydyf
    if isinstance(value, bytes) and value.endswith(b" 0 R"):
        return [int(value.split()[0])]
    if isinstance(value, pydyf.Dictionary):
        return [n for v in value.values() for n in _references(v)]
    if isinstance(value, pydyf.Array):
        return [n for v in value for n in _references(v)]
    return []


@given(_pdf_values())
@settings(max_examples=300, deadline=None)
def test_segments_rejoined_are_pydyfs_bytes_and_find_every_reference(value):
    """Whatever a dictionary holds, its segments put back together are what
    pydyf writes, and the numbers split out are exactly its references
    (never text in a string that looks like one)."""
    import pydyf
    segments = pdf_pieces._segments(value)
    assert _rejoin(segments) == pydyf._to_bytes(value)
    assert [x for x in segments if isinstance(x, int)] == _references(value)


def test_frame_page_count_must_match():
    a = _piece("<html><body><p>x</p></body></html>")
    render.init_worker(render.RenderSpec("en", "CNY", None, WHEN, "", "T", "2026Q3"))
    frames = render.render_frame([{"number": n, "total": 2, "right": "2026Q3", "blank": False} for n in (1, 2)])
    with pytest.raises(ValueError, match="frame has 2 pages, content 1"):
        pdf_booklet.assemble([a], [frames], pdf_pieces.Meta("T", "", "", "en", WHEN, "k"))


def test_cjk_font_is_embedded(tmp_path):
    path = tmp_path / "p.pdf"
    path.write_bytes(_pdf(_piece('<html><body style="font-family: \'Noto Sans CJK SC\'">重点客户 华东精密</body></html>')))
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in out.splitlines() if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk)   # the "emb" column
    assert "华东精密" in _text(path.read_bytes())


def test_harfbuzz_subsetting_is_available():
    # Without libharfbuzz-subset0 WeasyPrint falls back to fontTools, which
    # takes seconds per CJK font and PDF: the build warns, and this fails.
    assert pdf_fonts.subsetting_problem() is None


def test_subset_fallback_warning_is_detected():
    import logging
    with pdf_fetcher.capture_warnings() as cap:
        logging.getLogger("weasyprint").warning(
            'Using fontTools instead of HarfBuzz-Subset for font "%s". This will be unsupported', "Noto")
    assert cap.subset_fallback


def test_write_atomic_replaces_whole_file_and_cleans_up_on_error(tmp_path, monkeypatch):
    target = tmp_path / "a.pdf"
    write_atomic(target, b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"

    def boom(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_atomic(target, b"half")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]


def _font_programs(data: bytes) -> dict[str, set]:
    """BaseFont -> the distinct embedded font programs (object ids) it uses."""
    reader = PdfReader(io.BytesIO(data))
    out: dict[str, set] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            key = "/FontFile3" if "/FontFile3" in desc else "/FontFile2"
            out.setdefault(str(font["/BaseFont"]), set()).add(desc.raw_get(key).idnum)
    return out


def test_shared_fonts_embed_each_font_once_and_keep_every_glyph(tmp_path):
    style = "font-family: 'Noto Sans CJK SC'"
    a = _piece(f'<html><body style="{style}"><p>华东精密制造 甲乙丙</p><b>重点客户</b></body></html>')
    b = _piece(f'<html><body style="{style}"><p>西南物流集团 丁戊己</p><b>合作伙伴</b></body></html>')
    meta = pdf_pieces.Meta("T", "", "", "zh", WHEN, "k")
    separate = pdf_booklet.assemble([a, b], None, meta)
    shared = pdf_booklet.assemble([a, b], None, meta, share_fonts=True)
    assert any(len(ids) == 2 for ids in _font_programs(separate).values())
    assert all(len(ids) == 1 for ids in _font_programs(shared).values())
    assert len(shared) < len(separate)
    # Every page still shows (and extracts) its own text with the one subset.
    assert "华东精密制造 甲乙丙" in _text(shared, 1) and "重点客户" in _text(shared, 1)
    assert "西南物流集团 丁戊己" in _text(shared, 2) and "合作伙伴" in _text(shared, 2)
    # And draws it: the pages rasterise the same as with separate subsets.
    def png(data: bytes, n: int, name: str) -> bytes:
        src = tmp_path / f"{name}.pdf"
        src.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "40", "-f", str(n), "-l", str(n), "-singlefile", "-png",
                        str(src), str(tmp_path / f"{name}-{n}")], check=True)
        return (tmp_path / f"{name}-{n}.png").read_bytes()
    for n in (1, 2):
        drawn = png(shared, n, "shared")
        assert len(drawn) > 500 and drawn == png(separate, n, "separate")
    assert png(shared, 1, "shared") != png(shared, 2, "shared")      # the comparison can fail


_SHEETS = ["""
@page { size: A5; margin: 12mm; @bottom-center { content: "foot"; } }
p { color: #123456; font-family: "Noto Sans CJK SC"; }
.x { background: #fdecec !important; } """ + "/* padding past the cache threshold */ " * 80 + "\n",
           "h1 { font-size: 30pt; }"]
_UNSTYLED = """<!DOCTYPE html><html><head><meta charset="utf-8"></head>
<body><h1>标题</h1><p class="x" style="background: #eeeeee">段落 text</p></body></html>"""
# The same document with the same CSS in <style> blocks of its head.
_STYLED = _UNSTYLED.replace("</head>", "".join(f"<style>{css}</style>" for css in _SHEETS) + "</head>")


def test_documents_share_the_font_configuration_unless_a_rule_acts_document_wide():
    share = pdf_pieces._shares_font_config
    font_face = "@font-face { font-family: X; src: url(x.ttf) }"
    assert share(_UNSTYLED, _SHEETS) and share(_STYLED, ())
    assert not share(_UNSTYLED, [*_SHEETS, font_face])
    assert not share(_STYLED.replace("h1 {", font_face + " h1 {"), ())            # a template's own <style>
    assert not share(_UNSTYLED.replace("</head>", '<link rel="stylesheet" href="x.css"></head>'), _SHEETS)
    assert share(_UNSTYLED.replace("段落", "mail x@import.example"), _SHEETS)      # text is not CSS


def test_stylesheets_are_parsed_once_and_give_the_pdf_of_style_blocks():
    """Passed as stylesheets (user origin, parsed once per process) or
    written in <style> blocks (author origin, parsed by WeasyPrint for the
    document): the same bytes for CSS like the templates'."""
    fetcher = pdf_fetcher.make_fetcher(render.packaged_dir())
    when = datetime(2026, 9, 30, tzinfo=timezone.utc)
    base = render.packaged_dir().as_uri() + "/"
    pdf_pieces._CSS.clear()
    first = pdf_pieces.layout_and_write(_UNSTYLED, base, fetcher, when=when, stylesheets=_SHEETS).parts
    second = pdf_pieces.layout_and_write(_UNSTYLED, base, fetcher, when=when, stylesheets=_SHEETS).parts
    assert len(pdf_pieces._CSS) == 1                                   # the large sheet, reused
    written = pdf_pieces.layout_and_write(_STYLED, base, fetcher, when=when).parts
    assert first == second == written


def test_memory_helpers_work_here():
    from kamreport.build import memory
    assert memory.limit_heap() is True          # glibc (Debian)
    memory.trim()


_FONTS = """<html><head><style>
  body { font-family: "Noto Sans CJK SC"; }
  .latin { font-family: "DejaVu Sans"; } .serif { font-family: "DejaVu Serif"; font-weight: bold; }
</style></head><body>
  <h1>重点客户 <b>经营</b> <em>复盘</em></h1>
  <p class="latin">Key accounts — <i>italic</i>, ½ € ﬁ</p>
  <p class="serif">Serif bold 123</p>
  <p>缺字：\U000E0100\uE000 龘</p>
</body></html>"""


def test_one_pass_font_subsets_give_the_same_pdf_as_weasyprint(monkeypatch):
    """The one-pass subset (pdf/fonts.py _one_pass_subset) must write exactly what
    WeasyPrint's two passes write: regular, bold, synthetic oblique, Latin
    fonts and a glyph missing from every font (the notdef outline)."""
    from weasyprint.pdf import fonts
    assert pdf_fonts.use_one_pass_subsets() is True
    assert fonts.Font._harfbuzz_subset is pdf_fonts._one_pass_subset
    fetcher = pdf_fetcher.make_fetcher(render.packaged_dir())
    base = render.packaged_dir().as_uri() + "/"
    with pdf_fetcher.capture_warnings() as cap:
        ours = pdf_pieces.layout_and_write(_FONTS, base, fetcher, when=WHEN)
    assert any("U+E000" in w for w in cap.warnings)        # a glyph no font has
    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", pdf_fonts._WEASYPRINT_SUBSET)
    monkeypatch.setattr(pdf_fonts, "use_one_pass_subsets", lambda: False)
    theirs = pdf_pieces.layout_and_write(_FONTS, base, fetcher, when=WHEN)
    assert ours.parts == theirs.parts
    assert len(_font_programs(_pdf(ours))) >= 4


def test_one_pass_subsets_leave_an_unknown_weasyprint_alone(monkeypatch):
    from weasyprint.pdf import fonts
    pdf_fonts.use_one_pass_subsets()
    monkeypatch.delattr(fonts.Font, "_harfbuzz_subset")
    assert pdf_fonts.use_one_pass_subsets() is False
    assert not hasattr(fonts.Font, "_harfbuzz_subset")


def test_shared_font_configuration_gives_the_same_pdf(monkeypatch):
    """Documents laid out with the process's one FontConfiguration (fonts
    already loaded by earlier documents) write what a fresh one writes."""
    from weasyprint.text.fonts import FontConfiguration
    fetcher = pdf_fetcher.make_fetcher(render.packaged_dir())
    base = render.packaged_dir().as_uri() + "/"
    pdf_pieces.layout_and_write(_FONTS, base, fetcher, when=WHEN)     # load and use the fonts
    shared = pdf_pieces.layout_and_write(_STYLED, base, fetcher, when=WHEN).parts
    fresh = []
    monkeypatch.setattr(pdf_pieces, "shared_font_config", lambda: fresh.append(FontConfiguration()) or fresh[-1])
    assert pdf_pieces.layout_and_write(_STYLED, base, fetcher, when=WHEN).parts == shared
    assert fresh                                                              # the fresh one was used


# --------------------------------------------------------------------------
# Contracts: the WeasyPrint and pydyf internals kamreport/pdf/ relies on. These
# fail when an upgrade changes their shape; setup.cfg pins both series and
# pdf_internals.internals_problem refuses any other.


def test_installed_weasyprint_and_pydyf_are_the_series_pdf_was_written_against(monkeypatch):
    import pydyf
    import weasyprint
    assert pdf_internals.internals_problem() is None
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    problem = pdf_internals.internals_problem()
    assert "weasyprint 71.0" in problem and "'weasyprint==70.*'" in problem and "\n" not in problem
    monkeypatch.setattr(pdf_internals, "_GATE", [])
    from kamreport.errors import KamError
    with pytest.raises(KamError, match="weasyprint 71.0"):
        pdf_internals.require_tested_internals()
    monkeypatch.setattr(pdf_internals, "_GATE", [])
    monkeypatch.setattr(weasyprint, "__version__", pdf_internals.TESTED_WITH["weasyprint"] + "9")
    monkeypatch.setattr(pydyf, "__version__", "0.14.0")
    assert "pydyf 0.14.0" in pdf_internals.internals_problem()


def test_setup_cfg_pins_the_series_pdf_checks():
    text = (Path(__file__).resolve().parent.parent / "setup.cfg").read_text()
    for name, series in pdf_internals.TESTED_WITH.items():
        assert f"{name}=={series}*" in text, name


def test_contract_weasyprint_generate_pdf_and_font_subsetting():
    import inspect

    from weasyprint import DEFAULT_OPTIONS, HTML
    from weasyprint.pdf import fonts, generate_pdf
    from weasyprint.text import ffi
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    assert list(inspect.signature(generate_pdf).parameters)[:3] == ["document", "target", "zoom"]
    assert isinstance(DEFAULT_OPTIONS, dict) and "pdf_version" in DEFAULT_OPTIONS
    params = list(inspect.signature(fonts.Font._harfbuzz_subset).parameters)
    original = pdf_fonts._WEASYPRINT_SUBSET or fonts.Font._harfbuzz_subset
    assert params == ["self", "to_unicode", "hinting"]
    assert list(inspect.signature(original).parameters) == ["self", "to_unicode", "hinting"]
    # Font.subset calls _harfbuzz_subset when HarfBuzz-Subset is loaded, else fontTools.
    source = inspect.getsource(fonts.Font.subset)
    assert "self._harfbuzz_subset(to_unicode, hinting)" in source and "_fonttools_subset" in source
    assert pdf_fetcher.SUBSET_FALLBACK_TEXT in source
    for name in ("ffi", "harfbuzz", "harfbuzz_subset"):
        assert hasattr(ffi, name), name
    assert hasattr(fonts, "harfbuzz_subset") and hasattr(fonts, "harfbuzz")
    assert "render" in dir(HTML) and callable(FontConfiguration)
    assert {"allowed_protocols", "allow_redirects"} <= set(inspect.signature(URLFetcher).parameters)
    assert callable(URLFetcherResponse)


def test_contract_a_font_carries_what_the_one_pass_subset_reads(monkeypatch):
    from weasyprint.pdf import fonts
    seen = []
    real = fonts.Font._harfbuzz_subset

    def spy(self, to_unicode, hinting):
        seen.append((self.hb_face, self.missing, self.file_content[:4], self.family, type(to_unicode)))
        return real(self, to_unicode, hinting)
    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", spy)
    monkeypatch.setattr(pdf_fonts, "use_one_pass_subsets", lambda: False)     # WeasyPrint's own, spied on
    _piece('<html><body style="font-family: \'Noto Sans CJK SC\'">重点 key</body></html>')
    assert seen
    for hb_face, missing, head, family, kind in seen:
        assert hb_face is not None and head in (b"OTTO", b"\0\1\0\0", b"true", b"ttcf") and family
        assert kind in (dict, set, list) or hasattr(missing, "__len__")


def test_contract_laid_out_pages_and_pydyf_objects():
    import pydyf
    from weasyprint import HTML
    from weasyprint.pdf import generate_pdf
    from weasyprint import DEFAULT_OPTIONS

    doc = HTML(string='<h1 id="a">T</h1><a href="#b">x</a><p id="b">y</p><p style="break-before: page">z</p>'
               ).render()
    page = doc.pages[0]
    assert isinstance(page.anchors, dict) and isinstance(page.links, list) and isinstance(page.bookmarks, list)
    link_type, target, rect, _box = page.links[0]
    assert link_type == "internal" and target == "b" and len(rect) == 4
    level, label, (x, y), _state = page.bookmarks[0]
    assert (level, label) == (1, "T")
    assert hasattr(doc.metadata, "created") and hasattr(doc.metadata, "modified")
    assert len(doc.copy(doc.pages).pages) == len(doc.pages)

    out = generate_pdf(doc, None, 1, **DEFAULT_OPTIONS)
    assert isinstance(out, pydyf.PDF)
    kids = out.pages["Kids"]
    assert len(kids) == 3 * len(doc.pages) and list(kids[1::3]) == [0] * len(doc.pages)
    assert set(kids[2::3]) == {"R"}
    first = out.objects[int(kids[0])]
    assert isinstance(first, pydyf.Dictionary) and pdf_pieces._number(first["Contents"]) > 0
    assert isinstance(out.catalog, pydyf.Dictionary) and isinstance(out.info, pydyf.Dictionary)
    streams = [o for o in out.objects if isinstance(o, pydyf.Stream)]
    assert streams and all(isinstance(s.stream, list) and isinstance(s.extra, dict)
                           and isinstance(s.compress, bool) for s in streams)
    s = streams[0]
    assert s.reference == b"%d 0 R" % s.number
    assert pydyf._to_bytes(1.5) == b"1.5" and pydyf._to_bytes("R") == b"R"
    assert pydyf.String("é").data.startswith(b"<") or pydyf.String("a").data == b"(a)"
    assert pydyf.String("a").string == "a"
    import inspect
    assert list(inspect.signature(pydyf.PDF.write).parameters)[:5] == ["self", "output", "version",
                                                                       "identifier", "compress"]
    assert list(inspect.signature(pydyf.Stream).parameters)[:3] == ["stream", "extra", "compress"]


_HIDE_HARFBUZZ_SUBSET = '''
import cffi.api
_real = cffi.api.FFI.dlopen
def _dlopen(self, name, *args, **kwargs):
    if name and "harfbuzz-subset" in str(name):
        raise OSError(f"cannot load library {name!r}: hidden by the test")
    return _real(self, name, *args, **kwargs)
cffi.api.FFI.dlopen = _dlopen
'''


def hide_harfbuzz_subset(folder: Path) -> dict[str, str]:
    """The environment of a process on which libharfbuzz-subset cannot be
    loaded (by WeasyPrint or by kamreport/pdf/fonts.py): a sitecustomize that makes cffi's
    dlopen fail for it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_HIDE_HARFBUZZ_SUBSET)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(folder)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        + [str(Path(pdf_pieces.__file__).resolve().parent.parent)])}


def test_without_harfbuzz_subset_pieces_and_booklet_are_written_by_weasyprints_own_path(tmp_path):
    script = '''
import sys, warnings
warnings.simplefilter("error")          # an unexpected warning fails
warnings.filterwarnings("ignore", message="HarfBuzz-Subset will be required")
from datetime import datetime, timezone
from kamreport.pdf import booklet as pdf_booklet, fetcher as pdf_fetcher, fonts as pdf_fonts, pieces as pdf_pieces
from kamreport.build import jobs as render
assert pdf_fonts._harfbuzz() is None and pdf_fonts.use_one_pass_subsets() is False
assert pdf_fonts.subsetting_problem() == "libharfbuzz-subset is not installed"
when = datetime(2026, 9, 30, tzinfo=timezone.utc)
fetcher = pdf_fetcher.make_fetcher(render.packaged_dir())
base = render.packaged_dir().as_uri() + "/"
html = '<html><body style="font-family: \\'Noto Sans CJK SC\\'"><p>重点客户 {}</p></body></html>'
with pdf_fetcher.capture_warnings() as cap:
    pieces = [pdf_pieces.layout_and_write(html.format(n), base, fetcher, when=when) for n in ("one", "two")]
assert cap.subset_fallback and cap.warnings == [], cap.warnings
data = pdf_booklet.assemble(pieces, None, pdf_pieces.Meta("T", "", "", "zh", when, "k"), share_fonts=True)
assert data.count(b"/FontFile3") == 1       # one merged subset (fontTools made it), not one per piece
with open(sys.argv[1], "wb") as fh:
    fh.write(data)
'''
    out = tmp_path / "b.pdf"
    res = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True, text=True,
                         timeout=600, env=hide_harfbuzz_subset(tmp_path / "site"))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr and "OSError" not in res.stderr
    text = _text(out.read_bytes())
    assert "重点客户 one" in text and "重点客户 two" in text
