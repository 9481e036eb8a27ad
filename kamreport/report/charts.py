"""Charts as inline SVG strings.

Called by `views.finish` inside the render worker. The two charts of every
account plan (`revenue_trend`, `health`, see `PLAIN`) are written as SVG
strings directly: a matplotlib figure costs ~45 ms each and importing
matplotlib ~35 MB per worker. The portfolio charts of the booklet front
matter (`pareto`, `pyramid`, `target_bars`) are drawn with matplotlib's SVG
backend, imported lazily and configured once per process (`_setup`):
importing it costs about half a second, which the parent process, JSON-only
builds and account-only workers should not pay.

Determinism (SPEC §8 byte-identical output): no date in the SVG metadata,
`svg.hashsalt` fixed per chart name (so ids are stable yet differ between
the charts of one HTML page), text kept as text (`svg.fonttype = 'none'`).
Keeping text as text makes the SVG small and lets WeasyPrint draw labels
with the page fonts; the font family names Noto Sans CJK SC first so Chinese
labels never fall back to a font without CJK glyphs.

Every chart takes the plain dict that `views.py` put in `context["charts"]`
(its "kind" picks the function) and returns one `<svg …>…</svg>` element,
without the XML prolog, that scales to the width of its container.
"""
from __future__ import annotations

import html
import io
import math
import os
import re
from typing import Any, Callable

from .. import fmt, texts
from .colours import tint

FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans", "sans-serif"]
BAND = {"green": "#2e7d32", "amber": "#e09b00", "red": "#c62828"}
GREY = "#8c96a0"
INK = "#2b3440"
ACCENT = "#d9822b"        # second series (gross profit, cumulative line)

_ready = False


def _setup() -> None:
    """Configure matplotlib once per process: SVG backend, fonts, determinism."""
    global _ready
    if _ready:
        return
    import matplotlib
    matplotlib.use("svg", force=True)
    import matplotlib.font_manager  # (builds the font list once)
    rc = matplotlib.rcParams
    rc["svg.fonttype"] = "none"
    rc["svg.hashsalt"] = "kamreport"
    rc["font.family"] = "sans-serif"
    rc["font.sans-serif"] = _register_cjk_fonts(matplotlib.font_manager.fontManager) + FONTS
    rc["font.size"] = 8.5
    rc["axes.unicode_minus"] = False     # CJK fonts lack U+2212 in places
    rc["axes.edgecolor"] = "#c8ced6"
    rc["axes.labelcolor"] = INK
    rc["xtick.color"] = INK
    rc["ytick.color"] = INK
    rc["axes.spines.top"] = False
    rc["axes.spines.right"] = False
    rc["legend.frameon"] = False
    rc["path.simplify"] = True
    _ready = True


def _register_cjk_fonts(manager) -> list[str]:
    """Give matplotlib the CJK font files the PDF uses (found by fontconfig,
    or KAMREPORT_CJK_FONT: ground.cjk_fonts); the families to name before
    FONTS (none when FONTS already names them, the usual case).

    matplotlib lays the labels out with its own font list, which may not
    hold the CJK font although fontconfig and WeasyPrint have it: before
    3.11 it does not read .ttc collections (Noto CJK is one), and its font
    cache is not rebuilt when fonts are installed after its first run.
    Then every Chinese label is measured with DejaVu Sans ("Glyph missing"
    warnings, wrong widths). Registering the files costs nothing when
    matplotlib already has them.
    """
    from ..pdf import ground
    front: list[str] = []
    for font in ground.cjk_fonts():
        real = os.path.realpath(font.path)
        entries = [e for e in manager.ttflist if os.path.realpath(os.fspath(e.fname)) == real]
        if not entries:
            try:
                manager.addfont(font.path)
            except (OSError, RuntimeError, ValueError):
                continue
            entries = [e for e in manager.ttflist if os.path.realpath(os.fspath(e.fname)) == real]
        names = {e.name for e in entries}
        if names and not names & set(FONTS):
            # A family of its own (KAMREPORT_CJK_FONT): its face for Chinese.
            name = font.family if font.family in names else sorted(names)[0]
            if name not in front:
                front.append(name)
    return front


def _figure(width_in: float, height_in: float):
    from matplotlib.figure import Figure
    return Figure(figsize=(width_in, height_in), dpi=72)


_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_SIZE = re.compile(r'(<svg\b[^>]*?)\s+width="([\d.]+)pt"\s+height="([\d.]+)pt"')
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_DEFS_STYLE = re.compile(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", re.S)


def _presentation(m: re.Match) -> str:
    """style="fill: #fff; stroke-width: 0.8" -> fill="#fff" stroke-width="0.8".

    Inline in HTML, WeasyPrint parses an SVG element's style attribute with
    its HTML CSS parser too and logs "unknown property" for every fill and
    stroke; presentation attributes mean the same to its SVG renderer and
    log nothing, so warnings stay meaningful.
    """
    out = []
    for decl in m.group(1).split(";"):
        if ":" not in decl:
            continue
        prop, value = (x.strip() for x in decl.split(":", 1))
        if prop and value:
            out.append(f' {prop}="{value}"')
    return "".join(out)


def _to_svg(fig, name: str, id_prefix: str | None = None) -> str:
    """Serialise a figure to a bare, deterministic, responsive <svg> element."""
    import matplotlib
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "kamreport-" + name}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None,
                                                  "Type": None}, bbox_inches=None)
    svg = _COMMENT.sub("", _PROLOG.sub("", buf.getvalue(), count=1))
    # matplotlib's <style>*{stroke-linejoin: round; ...}</style> would leak
    # into the HTML page; the same defaults go on the root as attributes.
    svg = _DEFS_STYLE.sub("", svg, count=1)
    svg = svg.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)
    svg = _STYLE_ATTR.sub(_presentation, svg)
    # Width/height in pt would pin the chart's size; keep only the viewBox's
    # aspect ratio and let CSS (`.chart svg {width: 100%}`) size it.
    m = _SIZE.search(svg)
    if m:
        svg = svg[:m.start()] + m.group(1) + f' class="chart-svg chart-{name}" data-width="{m.group(2)}"' \
            f' data-height="{m.group(3)}"' + svg[m.end():]
    # Prefix ids so two charts in one document never share a clip path id.
    p = id_prefix or name
    svg = re.sub(r'\bid="', f'id="{p}-', svg)
    svg = svg.replace("url(#", f"url(#{p}-").replace('xlink:href="#', f'xlink:href="#{p}-')
    return svg.strip()


_TRAILING = re.compile(r"\.?0+(?=[^\d.,]*$)")


def axis_number(v: float, lang: str) -> str:
    """Tick label: the compact figure without trailing zeros (3.00M -> 3M, 1.50亿 -> 1.5亿)."""
    if not v:
        return "0"
    s = fmt.short_number(v, lang)
    return _TRAILING.sub("", s) if "." in s else s


def _wrap(label: str, lang: str) -> str:
    """Break a long category label onto two lines so it is not clipped."""
    import textwrap
    if lang == "zh":
        # Chinese has no spaces: break after a conjunction ("潜在及 / 无吸引力客户").
        m = re.search("[及与和、]", label)
        return label[:m.end()] + "\n" + label[m.end():] if len(label) > 6 and m else label
    return "\n".join(textwrap.wrap(label, 14)) or label


def _short_axis(lang: str):
    from matplotlib.ticker import FuncFormatter
    return FuncFormatter(lambda v, _pos: axis_number(v, lang))


def _pct_axis():
    from matplotlib.ticker import FuncFormatter
    return FuncFormatter(lambda v, _pos: f"{v * 100:.0f}%")


# --------------------------------------------------------------------------
# Plain SVG: the two charts of every account plan
#
# revenue_trend and health are drawn for every account, so they are written
# as SVG strings directly (about 100x faster than a matplotlib figure, and the
# render worker never imports matplotlib for an account plan). The geometry
# copies what matplotlib drew for them (figure size, axes rectangle, 5 %
# data margins, tick label pads, legend layout) so the page looks the same.
# Text is anchored (start/middle/end) rather than measured; the only text
# width estimated is the legend's first entry, to place the second one.

_FONT_ATTR = f'font-family="{", ".join(FONTS)}"'
_SPINE = "#c8ced6"
_GRID = "#e3e7ec"
_ZERO = "#9aa3ad"
_PAD = 3.5          # pt between the axes and a tick label (matplotlib's major pad)
_ASCENT = 0.88      # baseline below the top of the text, in em (x tick labels)
_MIDDLE = 0.44      # baseline below the centre of a label, in em (y tick labels)
_MIDDLE_NUM = 0.38  # the same for digits only (no descenders)


def _n(v: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros, never "-0"."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _text(x: float, y: float, s: str, size: float, anchor: str = "start", fill: str = INK) -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" {_FONT_ATTR} '
            f'text-anchor="{anchor}" fill="{fill}">{html.escape(s)}</text>')


def _line(x0: float, y0: float, x1: float, y1: float, stroke: str, width: float, extra: str = "") -> str:
    return (f'<path d="M{_n(x0)} {_n(y0)}L{_n(x1)} {_n(y1)}" fill="none" stroke="{stroke}" '
            f'stroke-width="{_n(width)}"{extra}/>')


def _rect(x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> str:
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}"{extra}/>'


def _svg(name: str, width_in: float, height_in: float, body: list[str]) -> str:
    w, h = _n(width_in * 72), _n(height_in * 72)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {w} {h}" '
            f'class="chart-svg chart-{name}" data-width="{w}" data-height="{h}" '
            f'stroke-linejoin="round" stroke-linecap="butt">'
            f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>' + "".join(body) + "</svg>")


def _category_limits(n: int, bar: float) -> tuple[float, float]:
    """Data limits of an axis with n bars of thickness `bar` at 0..n-1: the
    bars' extent plus 5 % on each side, as matplotlib autoscales."""
    span = max(n - 1, 0) + bar
    return -bar / 2 - 0.05 * span, max(n - 1, 0) + bar / 2 + 0.05 * span


def _text_width(s: str, size: float) -> float:
    """A generous estimate of a label's width (only used to space legend entries)."""
    w = 0.0
    for ch in s:
        if ord(ch) >= 0x2E80:
            w += 1.0                      # CJK: full width
        elif ch == " ":
            w += 0.3
        elif ch.isupper() or ch in "mwMW@%&":
            w += 0.7
        else:
            w += 0.56
    return w * size


_UNITS = {"亿": 1e8, "万": 1e4, "B": 1e9, "M": 1e6, "K": 1e3}


def _label_value(label: str) -> float:
    unit = _UNITS.get(label[-1:], 1.0)
    return float(label.rstrip("".join(_UNITS)).replace(",", "")) * unit


def _nice_ticks(lo: float, hi: float, lang: str, most: int = 6) -> list[float]:
    """Round tick values in [lo, hi]: the smallest 1/2/2.5/5 x 10^k step giving at
    most `most` ticks whose labels (axis_number) are exact and distinct."""
    span = hi - lo
    if span <= 0:
        return [0.0] if lo <= 0 <= hi else [lo]
    k = math.floor(math.log10(span / most)) - 1
    for _ in range(40):
        for m in (1, 2, 2.5, 5):
            step = m * 10.0 ** k
            first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
            if last - first + 1 > most:
                continue
            ticks = [round(i * step, 6) + 0.0 for i in range(first, last + 1)]
            labels = [axis_number(t, lang) for t in ticks]
            if len(set(labels)) == len(labels) and all(
                    abs(_label_value(s) - t) <= 1e-6 * max(1.0, abs(t)) for s, t in zip(labels, ticks)):
                return ticks
        k += 1
    return [0.0] if lo <= 0 <= hi else []


def _bar_axes(ticks: list[float], labels: list, rev: list, X: Callable[[float], float],
              Y: Callable[[float], float], left: float, width: float, bottom: float, bw: float,
              brand: str, lang: str, size: float, opacity: str) -> list[str]:
    """A quarter bar chart's grid with y tick labels, the quarter labels under
    the bars, and the bars (history lighter, the current period, the last
    bar, in full colour): shared by revenue_trend and revenue_target."""
    out = []
    for tk in ticks:
        y = Y(tk)
        out.append(_line(left, y, left + width, y, _GRID, 0.6, ' stroke-linecap="square"'))
        out.append(_text(left - _PAD, y + _MIDDLE * size, axis_number(tk, lang), size, "end"))
    for i, label in enumerate(labels):
        out.append(_text(X(i), bottom + _PAD + _ASCENT * size, str(label), size, "middle"))
    y0 = Y(0)
    last = len(rev) - 1
    for i, v in enumerate(rev):
        if v is None:
            continue
        yv = Y(v)
        out.append(_rect(X(i) - bw / 2, min(y0, yv), bw, abs(y0 - yv), brand,
                         f' opacity="{opacity}"' if i < last else ""))
    return out


def revenue_trend(data: dict[str, Any], name: str = "revenue_trend") -> str:
    """Revenue bars per quarter with gross profit as a line (8 quarters)."""
    lang, brand = data["lang"], data["brand"]
    labels, rev = list(data["labels"]), list(data["revenue"])
    n = len(labels)
    rev = (rev + [None] * n)[:n]
    gp = (list(data.get("gross_profit") or []) + [None] * n)[:n]
    W, H = 7.0 * 72, 2.15 * 72
    # axes rectangle (0.08, 0.14, 0.9, 0.7) of the figure
    left, width = 0.08 * W, 0.9 * W
    top, height = (1 - 0.84) * H, 0.7 * H
    bottom = top + height

    # x: bars of width 0.62 at 0..n-1, 5 % margins (as matplotlib autoscales)
    x_lo, x_hi = _category_limits(n, 0.62)

    def X(v: float) -> float:
        return left + (v - x_lo) / (x_hi - x_lo) * width

    # y: 0 is always in range (bars start at 0); 5 % margins except at 0
    values = [v for v in rev + gp if v is not None]
    lo, hi = min(values + [0.0]), max(values + [0.0])
    if lo == hi:                                  # nothing but zeros (or no data)
        y_lo, y_hi = 0.0, 1.0
        ticks = [0.0]
    else:
        span = hi - lo
        y_lo = lo - 0.05 * span if lo < 0 else 0.0
        y_hi = hi + 0.05 * span if hi > 0 else 0.0
        ticks = _nice_ticks(y_lo, y_hi, lang)

    def Y(v: float) -> float:
        return bottom - (v - y_lo) / (y_hi - y_lo) * height

    out = _bar_axes(ticks, labels, rev, X, Y, left, width, bottom, 0.62 / (x_hi - x_lo) * width,
                    brand, lang, 8.5, "0.55")
    y0 = Y(0)
    # zero line, spines (left, bottom)
    out.append(_line(left, y0, left + width, y0, _ZERO, 0.6, ' stroke-linecap="square"'))
    out.append(_line(left, bottom, left, top, _SPINE, 0.8, ' stroke-linejoin="miter" stroke-linecap="square"'))
    out.append(_line(left, bottom, left + width, bottom, _SPINE, 0.8,
                     ' stroke-linejoin="miter" stroke-linecap="square"'))
    # gross profit: a line through the non-missing points, round markers
    pts = [(X(i), Y(v)) for i, v in enumerate(gp) if v is not None]
    if pts:
        d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in pts)
        out.append(f'<path d="{d}" fill="none" stroke="{ACCENT}" stroke-width="1.6" stroke-linecap="square"/>')
        out.extend(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="1.75" fill="{ACCENT}" stroke="{ACCENT}"/>'
                   for x, y in pts)
    # The latest quarter's figures, printed: gross profit is often a flat
    # line near the axis, hard to read off the revenue scale.
    if n and rev[-1] is not None:
        out.append(_text(X(n - 1), Y(max(rev[-1], 0.0)) - 3.0, axis_number(rev[-1], lang), 7.5, "middle"))
    if n and gp[-1] is not None:
        label = axis_number(gp[-1], lang)
        w, x, y = _text_width(label, 7.5) + 3.0, X(n - 1), Y(gp[-1]) - 4.0
        out.append(_rect(x - w / 2, y - 7.0, w, 9.0, "#ffffff", ' opacity="0.9"'))
        out.append(_text(x, y, label, 7.5, "middle", ACCENT))
    # legend above the plot at the left: revenue first
    names = data["names"]
    base = top - 8.16                          # legend text baseline
    x = left + 7.2
    out.append(_rect(x, base - 5.6, 9.6, 5.6, brand, ' opacity="0.55"'))
    out.append(_text(x + 9.6 + 6.4, base, names[0], 8))
    if pts:
        x += 9.6 + 6.4 + _text_width(names[0], 8) + 16
        ym = base - 2.8
        out.append(_line(x, ym, x + 9.6, ym, ACCENT, 1.6, ' stroke-linecap="square"'))
        out.append(f'<circle cx="{_n(x + 4.8)}" cy="{_n(ym)}" r="1.75" fill="{ACCENT}" stroke="{ACCENT}"/>')
        out.append(_text(x + 9.6 + 6.4, base, names[1], 8))
    return _svg(name, 7.0, 2.15, out)


def revenue_target(data: dict[str, Any], name: str = "revenue_target") -> str:
    """The dashboard's revenue by quarter (bars) against target (a line with
    diamond markers where a target exists), value of the last bar printed."""
    lang, brand = data["lang"], data["brand"]
    labels = list(data["labels"])
    n = len(labels)
    rev = (list(data["revenue"]) + [None] * n)[:n]
    tgt = (list(data.get("target") or []) + [None] * n)[:n]
    w_in, h_in = 4.1, 1.6
    W, H = w_in * 72, h_in * 72
    left, right = 34.0, 6.0
    top, bottom = 24.0, H - 16.0
    width, height = W - left - right, bottom - top
    x_lo, x_hi = _category_limits(n, 0.62)

    def X(v: float) -> float:
        return left + (v - x_lo) / (x_hi - x_lo) * width

    values = [v for v in rev + tgt if v is not None]
    hi = max(values + [0.0])
    lo = min(values + [0.0])
    if hi == lo:
        y_lo, y_hi, ticks = 0.0, 1.0, [0.0]
    else:
        y_lo = lo - 0.05 * (hi - lo) if lo < 0 else 0.0
        y_hi = hi + 0.12 * (hi - lo)
        ticks = _nice_ticks(y_lo, y_hi, lang, most=5)

    def Y(v: float) -> float:
        return bottom - (v - y_lo) / (y_hi - y_lo) * height

    out = _bar_axes(ticks, labels, rev, X, Y, left, width, bottom, 0.62 / (x_hi - x_lo) * width,
                    brand, lang, 7.5, "0.5")
    y0 = Y(0)
    if n and rev[-1] is not None:
        above = max(v for v in (rev[-1], tgt[-1], 0.0) if v is not None)
        out.append(_text(X(n - 1), Y(above) - 4.5, axis_number(rev[-1], lang), 7.5, "middle"))
    out.append(_line(left, y0, left + width, y0, _ZERO, 0.6, ' stroke-linecap="square"'))
    pts = [(X(i), Y(v)) for i, v in enumerate(tgt) if v is not None]
    if len(pts) > 1:
        d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in pts)
        out.append(f'<path d="{d}" fill="none" stroke="{ACCENT}" stroke-width="1.4" stroke-dasharray="3,2"/>')
    r = 3.0
    for x, y in pts:
        out.append(f'<path d="M{_n(x)} {_n(y - r)}L{_n(x + r)} {_n(y)}L{_n(x)} {_n(y + r)}L{_n(x - r)} {_n(y)}Z" '
                   f'fill="{ACCENT}" stroke="#ffffff" stroke-width="0.6"/>')
    names = data["names"]
    base = 10.0
    x = left
    out.append(_rect(x, base - 5.6, 9.6, 5.6, brand, ' opacity="0.5"'))
    out.append(_text(x + 13, base, names[0], 7.5))
    if pts:
        x += 13 + _text_width(names[0], 7.5) + 12
        ym = base - 2.8
        out.append(f'<path d="M{_n(x + 4.8)} {_n(ym - r)}L{_n(x + 4.8 + r)} {_n(ym)}L{_n(x + 4.8)} {_n(ym + r)}'
                   f'L{_n(x + 4.8 - r)} {_n(ym)}Z" fill="{ACCENT}"/>')
        out.append(_text(x + 13, base, names[1], 7.5))
    return _svg(name, w_in, h_in, out)


def health(data: dict[str, Any], name: str = "health") -> str:
    """Health components as horizontal 0–100 bars coloured by band."""
    labels, values = data["labels"], data["values"]
    n = len(labels)
    w_in, h_in = 3.0, 0.3 * n + 0.45
    W, H = w_in * 72, h_in * 72
    # axes rectangle (0.22, 0.16, 0.72, 0.8) of the figure
    left, width = 0.22 * W, 0.72 * W
    top, height = (1 - 0.96) * H, 0.8 * H
    bottom = top + height
    # y: bars of height 0.55 at n-1..0 (first component on top), 5 % margins
    y_lo, y_hi = _category_limits(n, 0.55)

    def X(v: float) -> float:
        return left + min(max(v, 0.0), 100.0) / 100 * width

    def Y(v: float) -> float:
        return bottom - (v - y_lo) / (y_hi - y_lo) * height

    bh = 0.55 / (y_hi - y_lo) * height
    tracks, bars, texts = [], [], []
    for i, (label, v) in enumerate(zip(labels, values)):
        yc = Y(n - 1 - i)
        tracks.append(_rect(left, yc - bh / 2, width, bh, "#eef1f4"))
        texts.append(_text(left - _PAD, yc + _MIDDLE * 7.5, str(label), 7.5, "end"))
        if v is None:
            texts.append(_text(X(2), yc + _MIDDLE_NUM * 8.5, "—", 8.5, "start", GREY))
            continue
        band = "green" if v >= 70 else "amber" if v >= 40 else "red"
        bars.append(_rect(left, yc - bh / 2, X(v) - left, bh, BAND[band]))
        if v < 82:
            texts.append(_text(X(min(v, 100) + 1.5), yc + _MIDDLE_NUM * 7.5, fmt.score(v), 7.5, "start"))
        else:
            texts.append(_text(X(v - 1.5), yc + _MIDDLE_NUM * 7.5, fmt.score(v), 7.5, "end", "#ffffff"))
    out = tracks + bars
    out.append(_line(left, bottom, left + width, bottom, _SPINE, 0.8,
                     ' stroke-linejoin="miter" stroke-linecap="square"'))
    for t in (0, 40, 70, 100):
        out.append(_text(X(t), bottom + _PAD + _ASCENT * 7.5, str(t), 7.5, "middle"))
    out += texts
    for xv in (40, 70):
        out.append(_line(X(xv), bottom, X(xv), top, "#b8c0c8", 0.6, ' stroke-dasharray="1.2,1.2"'))
    return _svg(name, w_in, h_in, out)


# --------------------------------------------------------------------------
# matplotlib: the portfolio charts (drawn once per build)

def target_bars(data: dict[str, Any]) -> Any:
    """Actual share per tier group beside its target (pyramid / time split)."""
    brand = data["brand"]
    labels = data["labels"]
    actual = [v if v is not None else 0.0 for v in data["actual"]]
    target = data["target"]
    n = len(labels)
    fig = _figure(3.5, 0.55 * n + 0.7)
    ax = fig.add_axes((0.3, 0.1, 0.64, 0.72))
    labels = [_wrap(x, data["lang"]) for x in labels]
    y = list(range(n))[::-1]   # first group (key) at the top, like a pyramid
    h = 0.36
    ax.barh([v + h / 2 for v in y], actual, height=h, color=brand, label=data["names"][0], zorder=2)
    ax.barh([v - h / 2 for v in y], target, height=h, color="#c9d1da", label=data["names"][1], zorder=2)
    top = max(actual + list(target) + [0.01])
    for yi, a, t in zip(y, data["actual"], target):
        ax.text((a or 0) + top * 0.02, yi + h / 2, fmt.pct(a), va="center", fontsize=7.5, color=INK)
        ax.text(t + top * 0.02, yi - h / 2, fmt.pct(t, 0), va="center", fontsize=7.5, color=GREY)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xlim(0, top * 1.22)
    ax.xaxis.set_major_formatter(_pct_axis())
    ax.tick_params(length=0, labelsize=7.5)
    ax.grid(axis="x", color="#e3e7ec", linewidth=0.6, zorder=0)
    ax.spines["left"].set_visible(False)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=7.5, handlelength=1.0)
    return fig


def pareto(data: dict[str, Any]) -> Any:
    """ABC/Pareto: basis bars by class, cumulative share line, cut lines."""
    brand = data["brand"]
    values, cum, classes = data["values"], data["cumulative"], data["classes"]
    fig = _figure(7.0, 2.7)
    ax = fig.add_axes((0.08, 0.13, 0.84, 0.75))
    colors = {"A": brand, "B": tint(brand, 0.55), "C": tint(brand, 0.25)}
    x = list(range(len(values)))
    if values:
        ax.bar(x, values, width=0.8, color=[colors.get(c, GREY) for c in classes], zorder=2, linewidth=0)
    ax.yaxis.set_major_formatter(_short_axis(data["lang"]))
    ax.set_xlabel(data.get("xlabel", ""), fontsize=7.5)
    ax.set_ylabel(data["names"][0], fontsize=7.5)
    ax.set_xticks([])
    ax.set_xlim(-0.6, max(len(values), 1) - 0.4)
    ax.tick_params(length=0, labelsize=7.5)
    ax2 = ax.twinx()
    ax2.set_ylim(0, 1.05)
    ax2.yaxis.set_major_formatter(_pct_axis())
    ax2.tick_params(length=0, labelsize=7.5)
    ax2.spines["right"].set_visible(True)
    if cum:
        ax2.plot(x, cum, color=ACCENT, linewidth=1.6, marker="o" if len(cum) <= 30 else None,
                 markersize=2.5, zorder=3, label=data["names"][1])
    for cut in data["cuts"]:
        ax2.axhline(cut, color=GREY, linewidth=0.7, linestyle=(0, (3, 2)))
        ax2.text(max(len(values), 1) - 0.5, cut + 0.015, fmt.pct(cut, 0), ha="right", va="bottom",
                 fontsize=7, color=GREY)
    from matplotlib.patches import Patch
    handles = [Patch(color=colors[c], label=c) for c in ("A", "B", "C")]
    handles += ax2.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4, fontsize=7.5,
              handlelength=1.0)
    return fig


def pyramid(data: dict[str, Any]) -> Any:
    """The customer pyramid: one layer per tier group, top = key accounts.

    Layers have equal height, so the shape is the ideal 10/30/60 pyramid;
    each layer is labelled with its count and actual share against the
    target, and tinted darker when its share is above target.
    """
    from matplotlib.patches import Polygon

    brand, lang = data["brand"], data["lang"]
    labels, actual, target, counts = data["labels"], data["actual"], data["target"], data["counts"]
    n = len(labels)
    fig = _figure(3.5, 2.1)
    ax = fig.add_axes((0.02, 0.04, 0.96, 0.92))
    ax.set_xlim(0, 2.1)
    ax.set_ylim(0, 1.0)
    ax.axis("off")
    for i in range(n):                       # i = 0 is the top layer
        y1, y0 = 1 - i / n, 1 - (i + 1) / n
        w1, w0 = 0.5 * (1 - y1), 0.5 * (1 - y0)
        a, t = actual[i], target[i]
        over = a is not None and a > t
        color = brand if i == 0 else tint(brand, 0.55 if i == 1 else 0.28)
        ax.add_patch(Polygon([(0.5 - w0, y0), (0.5 + w0, y0), (0.5 + w1, y1), (0.5 - w1, y1)],
                             closed=True, facecolor=color, edgecolor="white", linewidth=1.5))
        ym = (y0 + y1) / 2
        ax.text(0.5, ym, fmt.num(counts[i]), ha="center", va="center", fontsize=8.5,
                color="white" if i < 2 else INK, fontweight="bold")
        xt = 0.5 + 0.5 * (1 - ym) + 0.08
        sep = texts.text("comma", lang)
        ax.text(xt, ym + 0.045, labels[i], ha="left", va="center", fontsize=8, color=INK)
        ax.text(xt, ym - 0.06, f"{fmt.pct(a)}{sep}{data['names'][1]} {fmt.pct(t, 0)}", ha="left",
                va="center", fontsize=7.5, color=ACCENT if over else GREY)
    return fig


# Drawn as SVG strings directly, without matplotlib (every account plan has them).
PLAIN = {"revenue_trend": revenue_trend, "health": health, "revenue_target": revenue_target}
# Drawn with matplotlib (portfolio charts of the booklet front matter).
KINDS = {"pyramid": pyramid, "target_bars": target_bars, "pareto": pareto}


def draw(name: str, data: dict[str, Any], id_prefix: str | None = None) -> str:
    """Render the chart `data` (a dict from views.py) to an SVG string.

    `id_prefix` (default: the chart name) starts every id in the SVG; the
    plain-SVG charts (revenue_trend, health) use no ids at all.
    """
    kind = data["kind"]
    if kind in PLAIN:
        return PLAIN[kind](data, name)
    _setup()
    fig = KINDS[kind](data)
    return _to_svg(fig, name, id_prefix)
