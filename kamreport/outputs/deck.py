"""booklet.pptx (SPEC §6 "Deck", `--format pptx`): the booklet's story as slides.

`write_deck(summary, path, lang, brand_color, logo)` makes, from
summary.json's content alone: a title slide; the dashboard (the first
headline as its title when the summary has headlines); pyramid and time
allocation against their targets; ABC/Pareto; the portfolio matrix
(attractiveness × relationship stage); tier migrations; the risk register
with next steps; one slide per key account (KPIs against target, health and
its components, risks with next steps).

Charts are native PowerPoint charts (their data is editable in PowerPoint:
each carries its embedded workbook), tables native tables; a table longer
than a slide holds continues on the next slide. Every text run names an
East Asian typeface (`a:ea`) beside its Latin one, so PowerPoint and WPS
pick a Chinese font for Chinese text. The bytes depend on the inputs only:
core properties dated as_of, fixed zip timestamps (also inside the
charts' embedded workbooks).

Keys added to the summary by newer engines (headlines, movers_up /
movers_down, target_q / attainment_q, revenue_at_risk, revenue_by_quarter,
a risk's `action`) are used when present; without them the deck falls back
on what the summary always has.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from typing import Any

from .. import fmt
from ..atomic import write_atomic
from ..report.colours import brand_color as _brand_color, office_hex, tint
from ..report.labels import translator
from ..report.sanitize import strip_bidi
from ..report.views import (ATTRACT, COMPONENTS, PYRAMID_TARGET, SEVERITY_RANK, STAGES, TIER_ORDER as TIERS,
                             TIME_TARGET)
from .workbook import as_of_datetime, deterministic_zip, movers

A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
LATIN = "Arial"
EA = "Microsoft YaHei"           # PowerPoint, WPS; LibreOffice substitutes a CJK font (Noto Sans CJK SC)
SLIDE_W, SLIDE_H = 12_192_000, 6_858_000       # 16:9, EMU
EMU_IN = 914_400
MARGIN = int(0.45 * EMU_IN)
TABLE_ROWS = 12                  # body rows of a table slide; more continue on another slide
ACCOUNT_RISK_ROWS = 5            # risks on an account's slide; more on a continuation slide
PARETO_MAX_BARS = 40
MAX_LOGO_BYTES = 2_000_000
GROUPS = tuple(PYRAMID_TARGET)         # key, ordinary, other
BAND_RGB = {"green": "2E7D32", "amber": "EF8F00", "red": "C62828", "insufficient": "9E9E9E"}
GREY, DARK, LIGHT = "6B7280", "1F2937", "F3F4F6"


def _office_tint(hex6: str, amount: float) -> str:
    return office_hex(tint("#" + hex6, amount))


def logo_bytes(logo: str | bytes | None) -> bytes | None:
    """A PNG or JPEG logo's bytes, else None (SVG and others: no logo in the deck)."""
    if not logo:
        return None
    if isinstance(logo, (bytes, bytearray)):
        data = bytes(logo)
    else:
        try:
            p = Path(logo)
            if p.stat().st_size > MAX_LOGO_BYTES:
                return None
            data = p.read_bytes()
        except OSError:
            return None
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        return data
    return None


def _clip(text: Any, n: int) -> str:
    s = "" if text is None else str(text)
    # no control characters, no bidi controls (a name cannot reorder the text around it)
    s = strip_bidi(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", s).replace("\n", " "))
    return s if len(s) <= n else s[:n - 1] + "…"


def headline_text(h: Any) -> str:
    """A headline as one line: a string, or a dict's text (its text /
    message / title), else its code and figure."""
    if isinstance(h, str):
        return h
    if isinstance(h, dict):
        for k in ("text", "message", "title", "label"):
            if isinstance(h.get(k), str) and h[k].strip():
                return h[k]
        fig = h.get("figure", h.get("value"))
        return " ".join(str(x) for x in (h.get("code"), fig) if x is not None)
    return str(h)


class Deck:
    def __init__(self, summary: dict, lang: str, brand: str, logo: bytes | None) -> None:
        from pptx import Presentation
        self.s = summary
        self.lang = "zh" if lang == "zh" else "en"
        self.t = translator(self.lang)      # the deck's own words are "deck." keys of the catalog
        self.brand = brand
        self.logo = logo
        settings = summary.get("settings") or {}
        self.currency = settings.get("currency") or "CNY"
        self.money_short = fmt.make_money_short(self.currency, self.lang)
        self.company = settings.get("company") or ""
        title = settings.get("report_title")
        if not title:
            title = self.t("default_report_title_month" if summary.get("period_kind") == "month"
                           else "default_report_title")
        self.title = title
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = SLIDE_W, SLIDE_H
        _count_partnames(self.prs.part.package)
        self.slides: list = []

    # -- text ----------------------------------------------------------------

    def font(self, font, size: float | None = None, bold: bool | None = None, color: str | None = None) -> None:
        """Size, weight, colour, Latin and East Asian typefaces of a run's
        (or a chart's default) character properties."""
        from pptx.dml.color import RGBColor
        from pptx.oxml.ns import qn
        from pptx.util import Pt
        if size is not None:
            font.size = Pt(size)
        if bold is not None:
            font.bold = bold
        if color is not None:
            font.color.rgb = RGBColor.from_string(color)
        font.name = LATIN
        rpr = font._rPr
        rpr.set("lang", "zh-CN" if self.lang == "zh" else "en-US")
        if self.lang == "zh":
            rpr.set("altLang", "en-US")
        ea = rpr.find(qn("a:ea"))
        if ea is None:
            from lxml import etree
            ea = etree.SubElement(rpr, qn("a:ea"))
            rpr.find(qn("a:latin")).addnext(ea)
        ea.set("typeface", EA)

    def write(self, tf, lines, size: float = 12, bold: bool = False, color: str = DARK,
              align=None, bullets: bool = False) -> None:
        """Paragraphs into a text frame: `lines` strings or (text, size, bold, color)."""
        tf.word_wrap = True
        first = True
        for line in lines:
            if isinstance(line, str):
                line = (line, size, bold, color)
            text, sz, b, c = line
            p = tf.paragraphs[0] if first else tf.add_paragraph()
            first = False
            if align is not None:
                p.alignment = align
            r = p.add_run()
            r.text = ("• " if bullets else "") + _clip(text, 400)
            self.font(r.font, sz, b, c)

    def box(self, slide, x, y, w, h, lines, **kw):
        from pptx.util import Emu
        tb = slide.shapes.add_textbox(Emu(x), Emu(y), Emu(w), Emu(h))
        self.write(tb.text_frame, lines, **kw)
        return tb

    # -- slides --------------------------------------------------------------

    def slide(self, title: str, note: str | None = None):
        """A new slide with its title (a title placeholder, so it shows in
        the outline), a brand-coloured rule, the logo and an optional note."""
        from pptx.dml.color import RGBColor
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Emu
        s = self.prs.slides.add_slide(self.prs.slide_layouts[5])     # Title Only
        ttl = s.shapes.title
        ttl.left, ttl.top, ttl.width, ttl.height = (Emu(MARGIN), Emu(int(0.25 * EMU_IN)),
                                                    Emu(SLIDE_W - 2 * MARGIN - int(1.3 * EMU_IN)),
                                                    Emu(int(0.75 * EMU_IN)))
        tf = ttl.text_frame
        tf.clear()
        from pptx.enum.text import PP_ALIGN, MSO_ANCHOR
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        p = tf.paragraphs[0]
        p.alignment = PP_ALIGN.LEFT
        r = p.add_run()
        r.text = _clip(title, 120)
        self.font(r.font, 24 if len(title) < 40 else 18, True, self.brand)
        bar = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(MARGIN), Emu(int(1.02 * EMU_IN)),
                                 Emu(SLIDE_W - 2 * MARGIN), Emu(int(0.04 * EMU_IN)))
        bar.fill.solid()
        bar.fill.fore_color.rgb = RGBColor.from_string(self.brand)
        bar.line.fill.background()
        if self.logo:
            self._logo(s, SLIDE_W - MARGIN, int(0.3 * EMU_IN), int(0.55 * EMU_IN), int(1.2 * EMU_IN))
        if note:
            self.box(s, MARGIN, int(1.1 * EMU_IN), SLIDE_W - 2 * MARGIN, int(0.4 * EMU_IN),
                     [note], size=11, color=GREY)
        self.slides.append(s)
        return s

    def _logo(self, slide, right, top, height, max_w):
        from pptx.util import Emu
        pic = slide.shapes.add_picture(io.BytesIO(self.logo), Emu(0), Emu(top), height=Emu(height))
        pic._element.nvPicPr.cNvPr.set("descr", f"{self.company} logo".strip())     # alt text
        if pic.width > max_w:
            ratio = max_w / pic.width
            pic.width, pic.height = Emu(max_w), Emu(int(pic.height * ratio))
        pic.left = Emu(right - pic.width)

    def footers(self) -> None:
        from pptx.enum.text import PP_ALIGN
        n = len(self.slides)
        left = " · ".join(x for x in (self.company, self.title, self.s.get("period") or "") if x)
        for i, s in enumerate(self.slides[1:], start=2):
            y = SLIDE_H - int(0.42 * EMU_IN)
            self.box(s, MARGIN, y, int(8 * EMU_IN), int(0.3 * EMU_IN), [left], size=9, color=GREY)
            self.box(s, SLIDE_W - MARGIN - int(1.5 * EMU_IN), y, int(1.5 * EMU_IN), int(0.3 * EMU_IN),
                     [f"{i} / {n}"], size=9, color=GREY, align=PP_ALIGN.RIGHT)

    # -- charts and tables ----------------------------------------------------

    def chart(self, slide, kind, x, y, w, h, categories, series, *, number_format="General",
              colors=None, legend=True, labels=True, vmax=None, title=None, axis_format=None):
        """A native chart: `series` [(name, values)]; returns the chart."""
        from pptx.chart.data import CategoryChartData
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_LEGEND_POSITION
        from pptx.util import Emu, Pt
        data = CategoryChartData(number_format=number_format)
        data.categories = categories
        for name, values in series:
            data.add_series(name, values)
        gf = slide.shapes.add_chart(kind, Emu(x), Emu(y), Emu(w), Emu(h), data)
        ch = gf.chart
        self.font(ch.font, 10, None, DARK)
        ch.has_legend = legend and len(series) > 1
        if ch.has_legend:
            ch.legend.position = XL_LEGEND_POSITION.BOTTOM
            ch.legend.include_in_layout = False
        if title:
            ch.has_title = True
            tf = ch.chart_title.text_frame
            tf.text = ""
            r = tf.paragraphs[0].add_run()
            r.text = title
            self.font(r.font, 12, True, DARK)
        else:
            ch.has_title = False
        plot = ch.plots[0]
        colors = colors or [self.brand, "B0B7C3", _office_tint(self.brand, 0.45)]
        for i, ser in enumerate(plot.series):
            ser.format.fill.solid()
            ser.format.fill.fore_color.rgb = RGBColor.from_string(colors[i % len(colors)])
        if labels:
            plot.has_data_labels = True
            dl = plot.data_labels
            dl.number_format = number_format
            dl.number_format_is_linked = False
            dl.font.size = Pt(9)
        va = ch.value_axis
        va.tick_labels.number_format = axis_format or number_format
        va.tick_labels.number_format_is_linked = False
        va.has_major_gridlines = True
        va.major_gridlines.format.line.color.rgb = RGBColor.from_string("E5E7EB")
        if vmax is not None:
            va.maximum_scale = vmax
        if all(v is None or v >= 0 for _, vals in series for v in vals):
            va.minimum_scale = 0        # bars start at zero: a trend is not exaggerated
        return ch

    def table(self, slide, x, y, w, header, rows, widths, *, size=10, row_h=0.32, fills=None):
        """A native table: header row in the brand colour, `rows` of strings;
        `fills` {(r, c): hex} colours body cells (r counts body rows from 0)."""
        from pptx.util import Emu
        nr, nc = len(rows) + 1, len(header)
        gf = slide.shapes.add_table(nr, nc, Emu(x), Emu(y), Emu(w), Emu(int(row_h * EMU_IN * nr)))
        tbl = gf.table
        total = sum(widths)
        for i, cw in enumerate(widths):
            tbl.columns[i].width = Emu(int(w * cw / total))
        fills = fills or {}
        # The cells as XML, written at once: a hundred account slides' tables
        # cell by cell through python-pptx's properties took half the deck's time.
        lang = 'lang="zh-CN" altLang="en-US"' if self.lang == "zh" else 'lang="en-US"'
        mar_lr, mar_tb = int(0.06 * EMU_IN), int(0.03 * EMU_IN)
        xml = []
        for r, values in enumerate([header] + rows):
            xml.append(f'<a:tr h="{int(row_h * EMU_IN)}">')
            for c, v in enumerate(values):
                if r == 0:
                    bg, color, bold = self.brand, "FFFFFF", ' b="1"'
                else:
                    bg = fills.get((r - 1, c)) or ("FFFFFF" if r % 2 else LIGHT)
                    color, bold = ("FFFFFF" if bg in BAND_RGB.values() else DARK), ""
                text = _clip(v, 600)
                rpr = (f'{lang} sz="{int(size * 100)}"{bold} dirty="0"><a:solidFill><a:srgbClr val="{color}"/>'
                       f'</a:solidFill><a:latin typeface="{LATIN}"/><a:ea typeface="{EA}"/>')
                para = (f'<a:r><a:rPr {rpr}</a:rPr><a:t>{xml_escape(text)}</a:t></a:r>' if text
                        else f'<a:endParaRPr {rpr}</a:endParaRPr>')
                xml.append(f'<a:tc><a:txBody><a:bodyPr/><a:lstStyle/><a:p>{para}</a:p></a:txBody>'
                           f'<a:tcPr marL="{mar_lr}" marR="{mar_lr}" marT="{mar_tb}" marB="{mar_tb}" anchor="ctr">'
                           f'<a:solidFill><a:srgbClr val="{bg}"/></a:solidFill></a:tcPr></a:tc>')
            xml.append('</a:tr>')
        from lxml import etree
        from pptx.oxml.ns import qn
        body = etree.fromstring(f'<a:tbl xmlns:a="{A_NS}">{"".join(xml)}</a:tbl>')
        t_el = tbl._tbl
        for tr in t_el.findall(qn("a:tr")):
            t_el.remove(tr)
        for tr in list(body):
            t_el.append(tr)
        return tbl

    def paged_table(self, title, note, header, rows, widths, *, per_slide=TABLE_ROWS, size=10, fills=None,
                    y=None):
        """`rows` over as many slides as it takes, `per_slide` body rows each."""
        chunks = [rows[i:i + per_slide] for i in range(0, len(rows), per_slide)] or [[]]
        fills = fills or {}
        for k, chunk in enumerate(chunks):
            head = title if len(chunks) == 1 else f"{title} ({k + 1}/{len(chunks)})"
            s = self.slide(head, note)
            if not chunk:
                self.box(s, MARGIN, int(1.7 * EMU_IN), int(8 * EMU_IN), int(0.5 * EMU_IN),
                         [self.t("none")], size=14, color=GREY)
                continue
            f = {(r - k * per_slide, c): v for (r, c), v in fills.items() if k * per_slide <= r < (k + 1) * per_slide}
            self.table(s, MARGIN, y or int(1.55 * EMU_IN), SLIDE_W - 2 * MARGIN, header, chunk, widths,
                       size=size, fills=f)

    # -- the story --------------------------------------------------------------

    def build(self) -> None:
        self.title_slide()
        self.dashboard()
        self.pyramid()
        self.abc()
        self.matrix()
        self.migrations()
        self.risk_register()
        self.scorecards()
        for a in self.s.get("accounts") or []:
            if a.get("tier") == "key":
                self.account(a)
        self.footers()
        cp = self.prs.core_properties
        when = as_of_datetime(self.s)
        cp.title = f"{self.title} · {self.s.get('period', '')}"
        cp.author = cp.last_modified_by = self.company or "kamreport"
        cp.subject = self.s.get("period") or ""
        cp.keywords = ""
        cp.comments = self.s.get("generator") or ""
        cp.category = ""
        cp.language = "zh-CN" if self.lang == "zh" else "en-US"
        cp.created = cp.modified = cp.last_printed = when
        cp.revision = 1

    def title_slide(self) -> None:
        from pptx.dml.color import RGBColor
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Emu
        s = self.prs.slides.add_slide(self.prs.slide_layouts[6])     # Blank
        band = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(0), Emu(int(2.2 * EMU_IN)), Emu(SLIDE_W),
                                  Emu(int(2.3 * EMU_IN)))
        band.fill.solid()
        band.fill.fore_color.rgb = RGBColor.from_string(self.brand)
        band.line.fill.background()
        from pptx.enum.text import PP_ALIGN
        self.write(band.text_frame, [(self.title, 36, True, "FFFFFF"),
                                     (self.s.get("period") or "", 22, False, "FFFFFF")], align=PP_ALIGN.LEFT)
        band.text_frame.margin_left = Emu(MARGIN * 2)
        date = fmt.make_date(self.lang)(self.s.get("as_of")) if self.s.get("as_of") else ""
        self.box(s, MARGIN * 2, int(4.8 * EMU_IN), int(9 * EMU_IN), int(1.2 * EMU_IN),
                 [(self.company, 18, True, DARK), (f'{self.t("as_of")} {date}', 14, False, GREY),
                  (self.t("confidential"), 12, False, GREY)])
        if self.logo:
            self._logo(s, SLIDE_W - MARGIN * 2, int(0.6 * EMU_IN), int(1.1 * EMU_IN), int(3.5 * EMU_IN))
        self.slides.append(s)

    def _quarters(self) -> tuple[list[str], list[tuple[str, list]]]:
        """Revenue by quarter: portfolio revenue_by_quarter when present
        (its revenue, key-account and target series), else the accounts' sums."""
        t = self.t
        rbq = (self.s.get("portfolio") or {}).get("revenue_by_quarter")
        if isinstance(rbq, list) and rbq and all(isinstance(q, dict) for q in rbq):
            cats = [str(q.get("label") or q.get("quarter") or q.get("period") or "") for q in rbq]
            names = {"revenue": t("revenue"), "revenue_key": t("key_accounts"), "key": t("key_accounts"),
                     "key_revenue": t("key_accounts"), "target": t("target"), "target_q": t("target")}
            series, seen = [], set()
            for k, name in names.items():
                vals = [q.get(k) for q in rbq]
                if name not in seen and any(isinstance(v, (int, float)) for v in vals):
                    seen.add(name)
                    series.append((name, [v if isinstance(v, (int, float)) else None for v in vals]))
            if series:
                return cats, series
        total: dict[str, float] = {}
        key: dict[str, float] = {}
        for a in self.s.get("accounts") or []:
            for q in a.get("revenue_by_quarter") or []:
                total[q["label"]] = total.get(q["label"], 0.0) + (q.get("revenue") or 0.0)
                if a.get("tier") == "key":
                    key[q["label"]] = key.get(q["label"], 0.0) + (q.get("revenue") or 0.0)
        cats = sorted(total)
        return cats, [(t("revenue"), [round(total[c], 2) for c in cats]),
                      (t("key_accounts"), [round(key.get(c, 0.0), 2) for c in cats])]

    def _highlights(self) -> list[str]:
        """headlines when the summary has them, else sentences from its figures."""
        heads = self.s.get("headlines")
        if isinstance(heads, list) and heads:
            return [headline_text(h) for h in heads[:5]]
        t, pf, accts = self.t, self.s.get("portfolio") or {}, self.s.get("accounts") or []
        key = [a for a in accts if a.get("tier") == "key"]
        ttm = pf.get("revenue_ttm") or 0
        key_rev = sum(a.get("revenue_ttm") or 0 for a in key)
        high = [(a, r) for a in key for r in a.get("risks") or [] if r.get("severity") == "high"]
        codes: dict[str, int] = {}
        for _, r in high:
            codes[r["code"]] = codes.get(r["code"], 0) + 1
        top = sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        sep = t("list.sep")
        return [
            t("hl_revenue", revenue=self.money_short(pf.get("revenue_q")), qoq=fmt.growth(pf.get("growth_qoq")),
              yoy=fmt.growth(pf.get("growth_yoy")), ttm=self.money_short(pf.get("revenue_ttm"))),
            t("hl_key", n=len(key), share=fmt.pct((pf.get("tier_share") or {}).get("key")),
              rev_share=fmt.pct(key_rev / ttm if ttm > 0 else None)),
            t("hl_time", share=fmt.pct((pf.get("time_share") or {}).get("key")), target=fmt.pct(0.6, 0)),
            t("hl_risks", n=len(high), accounts=len({a["customer_id"] for a, _ in high}),
              top=sep.join(f'{t("risk." + c)} ({n})' for c, n in top) or t("none")),
            t("hl_moves", up=sum(1 for a in accts if a.get("move") == "up"),
              down=sum(1 for a in accts if a.get("move") == "down")),
        ]

    def dashboard(self) -> None:
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_CHART_TYPE
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Emu
        t, pf = self.t, self.s.get("portfolio") or {}
        heads = self.s.get("headlines")
        lines = self._highlights()
        has_heads = isinstance(heads, list) and bool(heads)
        s = self.slide(lines[0] if has_heads else f'{t("dashboard")} · {self.s.get("period", "")}')
        accts = self.s.get("accounts") or []
        high = sum(1 for a in accts for r in a.get("risks") or [] if r.get("severity") == "high")
        tiles = [(t("revenue_q"), self.money_short(pf.get("revenue_q"))),
                 (t("growth_qoq"), fmt.growth(pf.get("growth_qoq"))),
                 (t("growth_yoy"), fmt.growth(pf.get("growth_yoy"))),
                 (t("revenue_ttm"), self.money_short(pf.get("revenue_ttm")))]
        if pf.get("attainment_q") is not None:
            tiles.append((t("attainment_q"), fmt.pct(pf.get("attainment_q"))))
        tiles += [(t("key_accounts"), fmt.num((pf.get("tiers") or {}).get("key", 0))),
                  (t("nps"), fmt.num(pf.get("nps"), 1)), (t("high_risks"), fmt.num(high))]
        if pf.get("revenue_at_risk") is not None:
            tiles.append((t("revenue_at_risk"), self.money_short(pf.get("revenue_at_risk"))))
        tiles = tiles[:8]
        gap = int(0.12 * EMU_IN)
        tw = (SLIDE_W - 2 * MARGIN - gap * (len(tiles) - 1)) // len(tiles)
        for i, (label, value) in enumerate(tiles):
            sh = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(MARGIN + i * (tw + gap)), Emu(int(1.25 * EMU_IN)),
                                    Emu(tw), Emu(int(0.95 * EMU_IN)))
            sh.fill.solid()
            sh.fill.fore_color.rgb = RGBColor.from_string(_office_tint(self.brand, 0.1))
            sh.line.fill.background()
            wide = sum(2 if ord(ch) > 0x2E7F else 1 for ch in value)
            self.write(sh.text_frame, [(value, 18 if wide <= 7 else 15 if wide <= 9 else 13, True, self.brand),
                                       (label, 10, False, GREY)],
                       align=PP_ALIGN.CENTER)
        cats, series = self._quarters()
        top = int(2.4 * EMU_IN)
        if cats:
            self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, top, int(6.6 * EMU_IN), int(3.9 * EMU_IN),
                       cats, series, number_format="#,##0", labels=False, title=t("deck.revenue_by_quarter"))
        else:
            self.box(s, MARGIN, top, int(6.6 * EMU_IN), int(0.5 * EMU_IN),
                     [f'{t("deck.revenue_by_quarter")}: {t("no_data")}'], size=12, color=GREY)
        right = MARGIN + int(6.8 * EMU_IN)
        rw = SLIDE_W - MARGIN - right
        body = lines[1:] if has_heads else lines
        self.box(s, right, top, rw, int(2.0 * EMU_IN), body[:4], size=11, bullets=True)
        by_id = {a["customer_id"]: a for a in accts}
        rows = []
        for way, m in movers(self.s)[:8]:
            a = by_id.get(m.get("customer_id"), {})
            ch = m.get("change")
            rows.append([("▲ " if way == "up" else "▼ ") + _clip(a.get("name") or m.get("customer_id"), 18),
                         ("+" if (ch or 0) > 0 else "") + self.money_short(ch)])
        if rows:
            self.box(s, right, top + int(2.05 * EMU_IN), rw, int(0.3 * EMU_IN), [t("movers")], size=11, bold=True)
            self.table(s, right, top + int(2.35 * EMU_IN), rw, [t("customer"), t("change")], rows[:6],
                       [3, 1.4], size=9, row_h=0.22)

    def pyramid(self) -> None:
        from pptx.enum.chart import XL_CHART_TYPE
        t, pf = self.t, self.s.get("portfolio") or {}
        tiers = pf.get("tiers") or {}
        n = sum(tiers.values()) or 0
        share = dict(pf.get("tier_share") or {})
        if not share and n:
            share = {"key": tiers.get("key", 0) / n, "ordinary": tiers.get("ordinary", 0) / n,
                     "other": (tiers.get("prospect", 0) + tiers.get("unattractive", 0)) / n}
        time_share = pf.get("time_share") or {}
        groups = GROUPS[::-1]          # a bar chart draws its first category at the bottom
        cats = [t("tier." + g) for g in groups]
        s = self.slide(t("pyramid_and_time"))
        w = (SLIDE_W - 2 * MARGIN - int(0.3 * EMU_IN)) // 2
        top, h = int(1.3 * EMU_IN), int(4.6 * EMU_IN)
        self.chart(s, XL_CHART_TYPE.BAR_CLUSTERED, MARGIN, top, w, h, cats,
                   [(t("actual"), [share.get(g) for g in groups]),
                    (t("target"), [PYRAMID_TARGET[g] for g in groups])],
                   number_format="0%", vmax=1.0, title=t("pyramid"))
        self.chart(s, XL_CHART_TYPE.BAR_CLUSTERED, MARGIN + w + int(0.3 * EMU_IN), top, w, h, cats,
                   [(t("actual"), [time_share.get(g) for g in groups]),
                    (t("target"), [TIME_TARGET[g] for g in groups])],
                   number_format="0%", vmax=1.0, title=t("time_allocation"))
        self.box(s, MARGIN, top + h, w, int(0.5 * EMU_IN), [t("pyramid_note")], size=9, color=GREY)
        self.box(s, MARGIN + w + int(0.3 * EMU_IN), top + h, w, int(0.5 * EMU_IN), [t("time_note")],
                 size=9, color=GREY)

    def abc_basis(self) -> str:
        basis = (self.s.get("settings") or {}).get("abc_basis") or "gross_profit"
        accts = self.s.get("accounts") or []
        if basis == "gross_profit" and not any((a.get("gross_profit_ttm") or 0) for a in accts):
            basis = "revenue"
        return basis

    def pareto(self) -> tuple[str, list[str], list[float], list[str]]:
        """(basis, categories, values, classes): the accounts' ABC basis values
        (revenue_ttm or gross_profit_ttm), highest first, binned beyond
        PARETO_MAX_BARS bars."""
        basis = self.abc_basis()
        field = "gross_profit_ttm" if basis == "gross_profit" else "revenue_ttm"
        vals = sorted(((a.get(field), a["customer_id"], a.get("name") or a["customer_id"], a.get("abc_class"))
                       for a in self.s.get("accounts") or [] if (a.get(field) or 0) > 0),
                      key=lambda v: (-v[0], v[1]))
        size = max(1, -(-len(vals) // PARETO_MAX_BARS))
        cats, values, classes = [], [], []
        for i in range(0, len(vals), size):
            chunk = vals[i:i + size]
            cats.append(_clip(chunk[0][2], 10) if size == 1 else f"{i + 1}–{i + len(chunk)}")
            values.append(round(sum(v[0] for v in chunk), 2))
            classes.append(chunk[0][3] or "C")
        return basis, cats, values, classes

    def abc(self) -> None:
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_CHART_TYPE
        t = self.t
        basis, cats, values, classes = self.pareto()
        s = self.slide(t("abc_pareto"), t("abc_note", basis=t("basis." + basis)))
        top = int(1.55 * EMU_IN)
        cw = int(8.3 * EMU_IN)
        if values:
            total_v = sum(values)
            cum, acc = [], 0.0
            for v in values:
                acc += v
                cum.append(round(acc / total_v, 4) if total_v else 0.0)
            ch = self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, top, cw, int(4.6 * EMU_IN), cats,
                            [(t("basis." + basis), values), (t("cumulative_share"), cum)],
                            number_format="#,##0", labels=False)
            _second_series_as_line(ch, self.brand)
            shade = {"A": self.brand, "B": _office_tint(self.brand, 0.55), "C": _office_tint(self.brand, 0.28)}
            ch.plots[0].gap_width = 40
            pts = ch.plots[0].series[0].points
            for i, cls in enumerate(classes):
                pts[i].format.fill.solid()
                pts[i].format.fill.fore_color.rgb = RGBColor.from_string(shade.get(cls, shade["C"]))
        accts = self.s.get("accounts") or []
        field = "gross_profit_ttm" if basis == "gross_profit" else "revenue_ttm"
        total = sum(a.get(field) or 0 for a in accts if (a.get(field) or 0) > 0)
        counts = (self.s.get("portfolio") or {}).get("abc_counts") or {}
        rows = []
        for cls in ("A", "B", "C", "N"):
            v = sum(a.get(field) or 0 for a in accts if a.get("abc_class") == cls and (a.get(field) or 0) > 0)
            n = counts.get(cls, sum(1 for a in accts if a.get("abc_class") == cls))
            rows.append([cls, fmt.num(n), self.money_short(v) if cls != "N" else "—",
                         fmt.pct(v / total) if total and cls != "N" else "—"])
        x = MARGIN + cw + int(0.25 * EMU_IN)
        self.table(s, x, top + int(0.3 * EMU_IN), SLIDE_W - MARGIN - x,
                   [t("abc_class"), t("count"), t("basis." + basis), t("share")], rows, [1, 1, 1.6, 1.2])

    def matrix(self) -> None:
        t = self.t
        accts = self.s.get("accounts") or []
        stages = list(STAGES) + (["none"] if any(a.get("relationship_stage") not in STAGES for a in accts) else [])
        cells = {(at, st): [0, 0] for at in ATTRACT for st in stages}
        for a in accts:
            st = a.get("relationship_stage") if a.get("relationship_stage") in STAGES else "none"
            c = cells.get((a.get("attractiveness"), st))
            if c is not None:
                c[0] += 1
                c[1] += a.get("tier") == "key"
        peak = max([c[0] for c in cells.values()] + [1])
        s = self.slide(t("portfolio_matrix"), t("matrix_note"))
        header = [f'{t("attractiveness")} \\ {t("relationship_stage")}'] + [
            t("rel_stage." + st) if st != "none" else t("stage_unknown") for st in stages]
        rows, fills = [], {}
        for r, at in enumerate(ATTRACT):
            row = [t("attract." + at)]
            for c, st in enumerate(stages, start=1):
                n, k = cells[(at, st)]
                row.append(f'{n} ({k} {t("deck.of_key")})' if k else str(n) if n else "")
                if n:
                    fills[(r, c)] = _office_tint(self.brand, 0.12 + 0.6 * n / peak)
            rows.append(row)
        self.table(s, MARGIN, int(1.8 * EMU_IN), SLIDE_W - 2 * MARGIN, header, rows,
                   [1.6] + [1] * len(stages), size=12, row_h=0.9, fills=fills)

    def migrations(self) -> None:
        t, pf = self.t, self.s.get("portfolio") or {}
        mig = pf.get("migrations") or {}
        header = [f'{t("from")} \\ {t("to")}'] + [t("tier." + k) for k in TIERS]
        rows, fills = [], {}
        for r, p in enumerate(TIERS):
            rows.append([t("tier." + p)] + [str((mig.get(p) or {}).get(n, 0)) for n in TIERS])
            fills[(r, r + 1)] = _office_tint(self.brand, 0.18)
        s = self.slide(t("tier_migrations"), t("migration_note"))
        half = (SLIDE_W - 2 * MARGIN) // 2 - int(0.15 * EMU_IN)
        self.table(s, MARGIN, int(1.6 * EMU_IN), half, header, rows, [1.5, 1, 1, 1, 1], size=11, row_h=0.45,
                   fills=fills)
        moved = sorted((a for a in self.s.get("accounts") or [] if a.get("move") not in (None, "same")),
                       key=lambda a: (a.get("move") != "up", TIERS.index(a["tier"]) if a.get("tier") in TIERS else 9,
                                      a["customer_id"]))
        # The slide lists the moves into and out of the key tier (the
        # meeting's business); the others are counted in the table at left,
        # listed in results.xlsx (Accounts: tier, previous tier, move).
        keyish = [a for a in moved if "key" in (a.get("tier"), a.get("tier_prev"))]
        others = len(moved) - len(keyish)
        mrows = [[_clip(a.get("name"), 22), t("tier." + a["tier_prev"]) if a.get("tier_prev") else "—",
                  t("tier." + a["tier"]), t("move." + a["move"])] for a in keyish]
        x = MARGIN + half + int(0.3 * EMU_IN)
        if others:
            where = "deck.other_moves_xlsx" if "results.xlsx" in (self.s.get("outputs") or ()) else "deck.other_moves"
            self.box(s, MARGIN, int(4.2 * EMU_IN), half, int(0.6 * EMU_IN), [t(where, n=others)],
                     size=10, color=GREY)
        if not mrows:
            self.box(s, x, int(1.6 * EMU_IN), half, int(0.5 * EMU_IN),
                     [t("deck.no_key_moves") if moved else t("no_moves")], size=12, color=GREY)
            return
        first, rest = mrows[:TABLE_ROWS], mrows[TABLE_ROWS:]
        mhead = [t("customer"), t("from"), t("to"), t("move")]
        self.table(s, x, int(1.6 * EMU_IN), half, mhead, first, [2.4, 1.2, 1.2, 0.7], size=9, row_h=0.3)
        if rest:
            self.paged_table(f'{t("moves")} ({t("deck.continued")})', None, mhead, rest, [2.4, 1.2, 1.2, 0.7], size=10)

    def register(self) -> list[tuple[dict, dict]]:
        """Every risk of a key account and the high risks of ordinary
        customers, high first, key before ordinary (as the booklet's register)."""
        reg = []
        for a in self.s.get("accounts") or []:
            if a.get("tier") not in ("key", "ordinary"):
                continue
            for r in a.get("risks") or []:
                if a["tier"] == "ordinary" and r.get("severity") != "high":
                    continue
                reg.append((a, r))
        reg.sort(key=lambda ar: (SEVERITY_RANK.get(ar[1].get("severity"), 9), TIERS.index(ar[0]["tier"]),
                                 ar[0]["customer_id"], ar[1].get("code") or ""))
        return reg

    def risk_register(self) -> None:
        t = self.t
        reg = self.register()
        zh = self.lang == "zh"
        rows, fills = [], {}
        for i, (a, r) in enumerate(reg):
            sev = r.get("severity")
            rows.append([_clip(a.get("name"), 16 if zh else 28), t("tier." + a["tier"]),
                         _clip(a.get("account_manager") or t("unassigned"), 12),
                         t("risk." + r["code"]) if r.get("code") else "", t("severity." + sev) if sev else "",
                         _clip(r.get("message"), 48 if zh else 90), _clip(r.get("action") or "—", 40 if zh else 80)])
            if sev == "high":
                fills[(i, 4)] = BAND_RGB["red"]
            elif sev == "medium":
                fills[(i, 4)] = BAND_RGB["amber"]
        self.paged_table(t("risk_register"), t("register_note"),
                         [t("customer"), t("tier"), t("account_manager"), t("risk"), t("severity"), t("message"),
                          t("next_step")], rows, [2.1, 1.1, 1.0, 1.3, 0.6, 3.4, 3.0], size=9, fills=fills)

    def scorecards(self) -> None:
        """Staff scorecards (考核): one row per account manager."""
        t = self.t
        managers = self.s.get("managers") or []
        if not managers:
            return
        target = any(m.get("attainment_q") is not None for m in managers)
        header = [t("account_manager"), t("tier.key"), t("tier.ordinary"), t("revenue_q")]
        header += [t("attainment_q")] if target else []
        header += [t("growth_qoq"), t("satisfaction"), t("cadence_compliance"), t("overdue_actions"), t("high_risks")]
        rows, fills = [], {}
        for i, m in enumerate(managers):
            row = [_clip(m.get("account_manager") or t("unassigned"), 20), fmt.num(m.get("key")),
                   fmt.num(m.get("ordinary")), self.money_short(m.get("revenue_q"))]
            row += [fmt.pct(m.get("attainment_q"))] if target else []
            row += [fmt.growth(m.get("growth_qoq")), fmt.num(m.get("satisfaction"), 1),
                    fmt.pct(m.get("cadence_compliance")), fmt.num(m.get("overdue_actions")),
                    fmt.num(m.get("high_risks"))]
            cc = m.get("cadence_compliance")
            if cc is not None:
                fills[(i, len(row) - 3)] = BAND_RGB["green" if cc >= 0.8 else "amber" if cc >= 0.5 else "red"]
            rows.append(row)
        self.paged_table(t("staff_scorecards"), None, header, rows, [2] + [1] * (len(header) - 1), size=10,
                         fills=fills)

    def account(self, a: dict) -> None:
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_CHART_TYPE
        t = self.t
        band = a.get("health_band")
        title = f'{a.get("name") or a["customer_id"]} · {t("tier." + a["tier"])} · ABC {a.get("abc_class") or "—"}'
        sub = " · ".join(x for x in (
            f'{t("account_manager")}: {a.get("account_manager") or t("unassigned")}',
            f'{t("relationship_stage")}: {t("rel_stage." + a["relationship_stage"])}' if a.get("relationship_stage") else None,
            f'{t("health")}: {fmt.score(a.get("health"))} ({t("band." + band)})' if band else None) if x)
        s = self.slide(title, sub)
        days = fmt.make_days(self.lang)
        kpis = [(t("revenue_q"), self.money_short(a.get("revenue_q")))]
        if "target_q" in a:
            kpis += [(t("target_q"), self.money_short(a.get("target_q"))), (t("attainment_q"), fmt.pct(a.get("attainment_q")))]
        kpis += [(t("growth_qoq"), fmt.growth(a.get("growth_qoq"))), (t("growth_yoy"), fmt.growth(a.get("growth_yoy"))),
                 (t("revenue_ttm"), self.money_short(a.get("revenue_ttm"))),
                 (t("gross_profit_ttm"), self.money_short(a.get("gross_profit_ttm"))),
                 (t("share_of_wallet"), fmt.pct(a.get("share_of_wallet"))),
                 (t("latest_satisfaction"), fmt.num(a.get("latest_satisfaction"), 1)),
                 (t("days_since_touch"), f'{days(a.get("days_since_touch"))} / {t("cadence")} {days(a.get("cadence"))}'),
                 (t("overdue_actions"), fmt.num(a.get("overdue_actions"))),
                 (t("score"), fmt.score(a.get("score")))]
        top = int(1.6 * EMU_IN)
        kw = int(4.1 * EMU_IN)
        self.table(s, MARGIN, top, kw, [t("deck.kpis_vs_target"), t("value")], [list(k) for k in kpis[:12]],
                   [1.5, 1.4], size=9, row_h=0.27)
        comps = a.get("health_components") or {}
        cx = MARGIN + kw + int(0.25 * EMU_IN)
        cw = int(3.6 * EMU_IN)
        order = COMPONENTS[::-1]       # growth at the top
        values = [comps.get(c) for c in order]
        ch = self.chart(s, XL_CHART_TYPE.BAR_CLUSTERED, cx, top, cw, int(3.4 * EMU_IN),
                        [t("component." + c) for c in order], [(t("health_components"), values)],
                        number_format="0.0", axis_format="0", vmax=100,
                        title=t("health_components"))
        ch.plots[0].gap_width = 60
        pts = ch.plots[0].series[0].points
        for i, v in enumerate(values):
            if v is None:
                continue
            pts[i].format.fill.solid()
            pts[i].format.fill.fore_color.rgb = RGBColor.from_string(
                BAND_RGB["green" if v >= 70 else "amber" if v >= 40 else "red"])
        quarters = a.get("revenue_by_quarter") or []
        if quarters:
            self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, top + int(3.6 * EMU_IN), kw + cw + int(0.25 * EMU_IN),
                       int(1.45 * EMU_IN), [q["label"] for q in quarters],
                       [(t("revenue"), [q.get("revenue") for q in quarters])], number_format="#,##0",
                       labels=False, title=t("revenue_trend"))
        rx = cx + cw + int(0.25 * EMU_IN)
        rw = SLIDE_W - MARGIN - rx
        risks = sorted(a.get("risks") or [], key=lambda r: (SEVERITY_RANK.get(r.get("severity"), 9), r.get("code") or ""))
        zh = self.lang == "zh"
        rows, fills = [], {}
        for i, r in enumerate(risks):
            sev = r.get("severity")
            rows.append([t("risk." + r["code"]) if r.get("code") else "", t("severity." + sev) if sev else "",
                         _clip(r.get("action") or r.get("message"), 34 if zh else 70)])
            fills[(i, 1)] = BAND_RGB["red" if sev == "high" else "amber"]
        head = [t("risk"), t("severity"), t("next_step") if any(r.get("action") for r in risks) else t("message")]
        if not rows:
            self.box(s, rx, top, rw, int(0.5 * EMU_IN), [t("no_risks")], size=12, color=GREY)
            return
        self.table(s, rx, top, rw, head, rows[:ACCOUNT_RISK_ROWS], [1.3, 0.75, 2.45], size=9, row_h=0.3,
                   fills={k: v for k, v in fills.items() if k[0] < ACCOUNT_RISK_ROWS})
        if len(rows) > ACCOUNT_RISK_ROWS:
            more = [[_clip(a.get("name"), 20)] + r[:2] + [_clip(x.get("message"), 60 if zh else 110),
                                                          _clip(x.get("action") or "—", 50 if zh else 100)]
                    for r, x in zip(rows, risks)]
            self.paged_table(f'{a.get("name")} · {t("risks")} ({t("deck.continued")})', None,
                             [t("customer"), t("risk"), t("severity"), t("message"), t("next_step")], more,
                             [1.6, 1.3, 0.6, 4, 3.5], size=9,
                             fills={(i, 2): v for (i, _), v in fills.items()})


def _count_partnames(package) -> None:
    """python-pptx finds a new part's name (a chart, its workbook) by walking
    every part of the package: quadratic over a deck of a hundred account
    slides (~1 s of 5). A deck only ever gains parts, so after the first
    name of a kind the next is the previous number plus one — the name the
    walk would have found."""
    from pptx.opc.packuri import PackURI
    walk = package.next_partname
    last: dict[str, int] = {}

    def next_partname(tmpl: str) -> PackURI:
        if tmpl in last:
            last[tmpl] += 1
        else:
            name = walk(tmpl)
            last[tmpl] = next(n for n in range(1, 100_000) if tmpl % n == name)
        return PackURI(tmpl % last[tmpl])
    package.next_partname = next_partname


def _second_series_as_line(chart, color: str) -> None:
    """Make a two-series column chart a combination chart: the second
    series (the cumulative share) becomes a line on a secondary 0–100 %
    axis. The series stays in the chart's embedded workbook (column C), so
    its data remains editable in PowerPoint."""
    from lxml import etree
    from pptx.oxml.ns import qn
    C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
    plot_area = chart._chartSpace.find(f"{{{C}}}chart/{{{C}}}plotArea")
    bar = plot_area.find(qn("c:barChart"))
    ser = bar.findall(qn("c:ser"))[1]
    bar.remove(ser)
    for tag in ("c:invertIfNegative", "c:spPr", "c:dPt", "c:shape"):
        for el in ser.findall(qn(tag)):
            ser.remove(el)
    sppr = etree.fromstring(
        f'<c:spPr xmlns:c="{C}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f'<a:ln w="22225"><a:solidFill><a:srgbClr val="C2410C"/></a:solidFill></a:ln></c:spPr>')
    marker = etree.fromstring(f'<c:marker xmlns:c="{C}"><c:symbol val="circle"/><c:size val="4"/></c:marker>')
    ser.find(qn("c:tx")).addnext(sppr)
    sppr.addnext(marker)
    etree.SubElement(ser, qn("c:smooth")).set("val", "0")
    line = etree.fromstring(
        f'<c:lineChart xmlns:c="{C}"><c:grouping val="standard"/><c:varyColors val="0"/></c:lineChart>')
    line.append(ser)
    etree.SubElement(line, qn("c:marker")).set("val", "1")
    for ax in ("50000001", "50000002"):
        etree.SubElement(line, qn("c:axId")).set("val", ax)
    bar.addnext(line)
    axes = etree.fromstring(
        f'<c:x xmlns:c="{C}"><c:catAx><c:axId val="50000001"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="1"/><c:axPos val="b"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
        '<c:tickLblPos val="nextTo"/><c:crossAx val="50000002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="50000002"/><c:scaling><c:orientation val="minMax"/><c:max val="1"/>'
        '<c:min val="0"/></c:scaling><c:delete val="0"/><c:axPos val="r"/>'
        '<c:numFmt formatCode="0%" sourceLinked="0"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/>'
        '<c:tickLblPos val="nextTo"/><c:crossAx val="50000001"/><c:crosses val="max"/>'
        '<c:crossBetween val="between"/></c:valAx></c:x>')
    last_axis = [el for el in plot_area if etree.QName(el).localname in ("catAx", "valAx", "dateAx", "serAx")][-1]
    for el in reversed(list(axes)):
        last_axis.addnext(el)


def deck_bytes(summary: dict, lang: str, brand_color: str | None = None, logo: str | bytes | None = None) -> bytes:
    d = Deck(summary, lang, office_hex(_brand_color(brand_color or (summary.get("settings") or {}).get("brand_color"))),
             logo_bytes(logo))
    d.build()
    buf = io.BytesIO()
    d.prs.save(buf)
    return deterministic_zip(buf.getvalue(), as_of_datetime(summary), inner=("*",))


def write_deck(summary: dict, path, lang: str, brand_color: str | None = None, logo: str | bytes | None = None) -> None:
    """booklet.pptx at `path`, atomically (SPEC §6)."""
    write_atomic(path, deck_bytes(summary, lang, brand_color, logo))
