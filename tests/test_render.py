"""The Jinja environment and worker rendering (SPEC §7 --templates, §8)."""
from __future__ import annotations

import io
import subprocess
from datetime import datetime, timezone

import pytest

from kamreport.pdf import booklet as pdf_booklet, pieces as pdf_pieces
from kamreport.build import jobs as render
from kamreport.errors import KamError


def test_autoescape_and_md_filter(tmp_path):
    (tmp_path / "t.html").write_text("<p>{{ name }}</p><div>{{ notes|md }}</div>", encoding="utf-8")
    env = render.make_env("zh", "CNY", tmp_path)
    html = render.render_template(env, "t.html", {"name": "<b>华东</b>", "notes": "**a** <script>x()</script>"})
    assert "<p>&lt;b&gt;华东&lt;/b&gt;</p>" in html
    assert "<strong>a</strong>" in html and "<script" not in html


def test_user_template_overrides_by_name_and_default_prefix_reaches_packaged(tmp_path):
    # frame.html is packaged (owned by the render pipeline); override it and
    # extend the packaged one through "default:".
    (tmp_path / "frame.html").write_text("USER", encoding="utf-8")
    (tmp_path / "mine.html").write_text('{% extends "default:frame.html" %}', encoding="utf-8")
    env = render.make_env("en", "CNY", tmp_path)
    assert render.render_template(env, "frame.html", {}) == "USER"
    ctx = {"pages": [{"number": 1, "total": 1, "right": "S", "blank": False}], "company": "ACME",
           "title": "T", "period": "2026Q3"}
    assert "Page 1 of 1" in _text(render.render_template(env, "mine.html", ctx))
    assert "@page" in render.render_template(env, "mine.html", dict(ctx, mode="stylesheet"))


def test_user_template_replaces_one_block(tmp_path):
    (tmp_path / "base.html").write_text(
        "<h1>{% block title %}packaged{% endblock %}</h1><p>{% block body %}body{% endblock %}</p>", encoding="utf-8")
    user = tmp_path / "user"
    user.mkdir()
    (user / "base.html").write_text(
        '{% extends "default:base.html" %}{% block title %}mine{% endblock %}', encoding="utf-8")
    # A second loader level: here the "packaged" base is the tmp folder; the
    # prefix logic is what is under test, with the real packaged loader below.
    env = render.make_env("en", "CNY", user)
    env.loader.loaders[1].mapping["default"] = __import__("jinja2").FileSystemLoader(str(tmp_path))
    assert render.render_template(env, "base.html", {}) == "<h1>mine</h1><p>body</p>"


def test_packaged_account_template_can_be_extended(tmp_path):
    if not (render.packaged_dir() / "account.html").is_file():
        pytest.skip("account.html not packaged yet")
    (tmp_path / "account.html").write_text('{% extends "default:account.html" %}', encoding="utf-8")
    env = render.make_env("en", "CNY", tmp_path)
    assert env.get_template("account.html") is not None


def test_broken_user_template_is_a_kam_error_naming_it(tmp_path):
    (tmp_path / "index.html").write_text("{% if %}", encoding="utf-8")
    env = render.make_env("en", "CNY", tmp_path)
    with pytest.raises(KamError, match=r"index\.html.*line 1"):
        render.render_template(env, "index.html", {})


def test_missing_template_is_a_kam_error():
    env = render.make_env("en", "CNY")
    with pytest.raises(KamError, match="nope.html not found"):
        render.render_template(env, "nope.html", {})


def test_packaged_loader_refuses_path_tricks():
    env = render.make_env("en", "CNY")
    for name in ("../setup.cfg", "default:../setup.cfg", "/etc/passwd"):
        with pytest.raises(KamError):
            render.render_template(env, name, {})


def _spec(lang="zh", templates_dir=None):
    return render.RenderSpec(lang=lang, currency="CNY", templates_dir=templates_dir,
                             when=datetime(2026, 9, 30, tzinfo=timezone.utc),
                             company="华东公司", title="重点客户季度报告", period="2026Q3")


def test_frame_job_numbers_pages_and_leaves_the_cover_blank(tmp_path):
    render.init_worker(_spec())
    pages = [{"number": n, "total": 3, "right": "2026Q3", "blank": n == 1} for n in (1, 2, 3)]
    res = render.run_job(render.Job("frame", "frame:1", "frame.html", {"pages": pages}))
    assert res.warnings == ()
    assert res.piece.pages == 3
    # Drawn, as in the booklet, over three blank pages.
    blank = pdf_pieces.layout_and_write('<p style="break-after: page"></p>' * 2 + "<p></p>",
                                    render.packaged_dir().as_uri() + "/", render._fetcher(), when=_spec().when)
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf_booklet.assemble([blank], [res.piece.parts], pdf_pieces.Meta("T", "", "", "zh", _spec().when, "k")))
    text = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
                           capture_output=True, text=True, check=True).stdout for n in (1, 2, 3)]
    assert "页" not in text[0]                         # the cover has no frame
    assert "第 2 页 / 共 3 页" in text[1].replace("\u00a0", " ") or "第2页/共3页" in text[1].replace(" ", "")
    assert "华东公司" in text[2] and "2026Q3" in text[2]


def test_english_frame():
    render.init_worker(_spec("en"))
    pages = [{"number": 7, "total": 9, "right": "Acme · 2026Q3", "blank": False}]
    html = render.render_template(render._ENV, "frame.html", {
        "lang": "en", "company": "C", "title": "T", "period": "2026Q3", "pages": pages})
    assert "Page 7 of 9" in _text(html) and "Acme · 2026Q3" in html
    # The halves can be laid out apart: the number without the total, and back.
    only_total = render.render_template(render._ENV, "frame.html", {
        "lang": "en", "company": "C", "title": "T", "period": "2026Q3",
        "pages": [{"number": None, "total": 9, "right": None, "blank": False}]})
    assert "Page" not in _text(only_total) and "9" in _text(only_total) and 'class="frame-left"' not in only_total


def _text(html: str) -> str:
    import re
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<body>")[-1]))


def test_split_sources_separates_cover_and_contents(tmp_path):
    (tmp_path / "front.html").write_text(
        "{% block content %}[{% block cover %}COVER{% endblock %}|{% block contents %}TOC{% endblock %}|"
        "{% block summary %}SUM{% endblock %}|{% if x %}{% block care %}CARE{% endblock %}{% endif %}]{% endblock %}",
        encoding="utf-8")
    (tmp_path / "child.html").write_text('{% extends "front.html" %}{% block summary %}MINE{% endblock %}',
                                         encoding="utf-8")
    env = render.make_env("en", "CNY", tmp_path)
    head, body = render.split_sources(env, "child.html")
    assert env.from_string(head).render(x=True) == "[COVER|TOC||]"
    assert env.from_string(body).render(x=True) == "[||MINE|CARE]"
    (tmp_path / "flat.html").write_text("{% block content %}no cover here{% endblock %}", encoding="utf-8")
    assert render.split_sources(env, "flat.html") is None


def test_packaged_front_matter_splits():
    env = render.make_env("zh", "CNY")
    if not (render.packaged_dir() / "booklet_front.html").is_file():
        pytest.skip("booklet_front.html not packaged yet")
    assert render.split_sources(env, "booklet_front.html") is not None


def test_section_header_is_a_safe_css_string():
    css = render.section_header_css('A"B\\C</style><script>x</script>\n')
    assert "<" not in css and ">" not in css and "\n" not in css
    assert render.css_string('a"b') == '"a\\22 b"'
    assert render.css_string("客户 · 2026Q3") == '"客户 · 2026Q3"'


def test_account_frames_are_laid_out_once_per_page_count():
    render.init_worker(_spec())
    times: dict = {}
    first = render.account_frame(3, times)
    assert len(first.pages) == 3 and render.account_frame(3, times) is first
    assert render.account_frame(2, times) is not first


_TWO_PAGES = ('<html lang="zh"><head><style>@page { size: A4; margin: 20mm }</style></head><body>'
              '<h1 id="top">客户甲</h1><p>第一页</p><h2 style="break-before: page">行动计划</h2>'
              '<p>第二页 <a href="#top">回到顶部</a> <a href="#elsewhere">别处</a></p></body></html>')


def _raster(data: bytes, page: int) -> bytes:
    return subprocess.run(["pdftoppm", "-r", "50", "-gray", "-f", str(page), "-l", str(page), "-", ],
                          input=data, capture_output=True, check=True).stdout


def test_framed_account_pdf_draws_its_frame_like_the_booklet_stamping(tmp_path):
    """layout_and_write_framed: the standalone PDF (frame pages written in
    the same PDF, turned into form XObjects) looks exactly like the piece
    with the same frame drawn by the booklet's assembly (pdf.assemble),
    shares one subset per font, and keeps the links and the outline."""
    from pypdf import PdfReader
    render.init_worker(_spec())
    base = render.packaged_dir().as_uri() + "/"
    meta = pdf_pieces.Meta(title="客户甲 · 2026Q3", author="华东公司", subject="重点客户季度报告",
                       language="zh", when=datetime(2026, 9, 30, tzinfo=timezone.utc), key="account:A")
    piece, framed = pdf_pieces.layout_and_write_framed(
        _TWO_PAGES, base, render._fetcher(), when=meta.when, meta=meta,
        frame=lambda n: render.account_frame(n, {}))
    assert piece.pages == 2 and piece.links[0].anchor == "elsewhere"
    assert len(piece.parts.roots) == 2                  # the frame's pages are not the booklet's
    frame = render.render_frame([{"number": i, "total": 2, "right": None, "blank": False} for i in (1, 2)])
    stamped = pdf_booklet.assemble([piece], [frame], meta)
    reader = PdfReader(io.BytesIO(framed))
    assert len(reader.pages) == 2
    for page in (1, 2):
        assert _raster(framed, page) == _raster(stamped, page)
        assert f"第 {page} 页 / 共 2 页" in reader.pages[page - 1].extract_text()
    assert [o.title for o in reader.outline if not isinstance(o, list)] == ["客户甲"]
    links = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    assert [a["/Subtype"] for a in links] == ["/Link"]            # to #top; #elsewhere is the booklet's
    assert reader.metadata["/Title"] == "客户甲 · 2026Q3" and reader.metadata["/Creator"] == "kamreport"
    (tmp_path / "a.pdf").write_bytes(framed)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "a.pdf")], capture_output=True, text=True,
                           check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and len(names) == len(set(names))                 # frame text in the content's subsets
    again = pdf_pieces.layout_and_write_framed(
        _TWO_PAGES, base, render._fetcher(), when=meta.when, meta=meta,
        frame=lambda n: render.account_frame(n, {}))
    assert again[1] == framed and again[0].parts == piece.parts


def test_streams_compressed_once_give_the_same_bytes(monkeypatch):
    render.init_worker(_spec())
    base = render.packaged_dir().as_uri() + "/"
    when = datetime(2026, 9, 30, tzinfo=timezone.utc)
    meta = pdf_pieces.Meta("T", "", "", "zh", when, "k")

    def both():
        piece, framed = pdf_pieces.layout_and_write_framed(_TWO_PAGES, base, render._fetcher(), when=when, meta=meta,
                                                       frame=lambda n: render.account_frame(n, {}))
        return piece.parts, framed
    frozen = both()
    monkeypatch.setattr(pdf_pieces, "_freeze_streams", lambda pdf: None)
    parts, framed = both()
    assert parts == frozen[0]
    # The standalone PDF: the same but for the order of a form XObject's keys.
    assert len(framed) == len(frozen[1])
    assert all(_raster(framed, page) == _raster(frozen[1], page) for page in (1, 2))
