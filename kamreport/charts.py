"""Charts as inline SVG strings, drawn with matplotlib's SVG backend.

Called by `views.finish` inside the render worker. matplotlib is imported
lazily and configured once per process (`_setup`): importing it costs about
half a second, which the parent process and JSON-only builds should not pay.

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

import io
import re
from typing import Any

from . import fmt

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
    import matplotlib.font_manager  # noqa: F401  (builds the font list once)
    rc = matplotlib.rcParams
    rc["svg.fonttype"] = "none"
    rc["svg.hashsalt"] = "kamreport"
    rc["font.family"] = "sans-serif"
    rc["font.sans-serif"] = FONTS
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


def revenue_trend(data: dict[str, Any]) -> Any:
    """Revenue bars per quarter with gross profit as a line (8 quarters)."""
    lang, brand = data["lang"], data["brand"]
    labels, rev = data["labels"], data["revenue"]
    gp = data.get("gross_profit") or [None] * len(rev)
    fig = _figure(7.0, 2.15)
    ax = fig.add_axes((0.08, 0.14, 0.9, 0.7))
    x = list(range(len(labels)))
    bars = ax.bar(x, rev, width=0.62, color=brand, label=data["names"][0], zorder=2)
    # The current period (last bar) in full colour, history lighter.
    for b in bars[:-1]:
        b.set_alpha(0.55)
    pts = [(i, v) for i, v in zip(x, gp) if v is not None]
    if pts:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], color=ACCENT, marker="o", markersize=3.5,
                linewidth=1.6, label=data["names"][1], zorder=3)
    ax.set_xticks(x)
    ax.set_xticklabels(labels)
    ax.yaxis.set_major_formatter(_short_axis(lang))
    ax.grid(axis="y", color="#e3e7ec", linewidth=0.6, zorder=0)
    ax.axhline(0, color="#9aa3ad", linewidth=0.6)
    ax.tick_params(length=0)
    # Revenue first in the legend, like in the table and the KPI tiles.
    handles, names = ax.get_legend_handles_labels()
    order = sorted(range(len(names)), key=lambda i: names[i] != data["names"][0])
    ax.legend([handles[i] for i in order], [names[i] for i in order], loc="lower left",
              bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8, handlelength=1.2)
    return fig


def health(data: dict[str, Any]) -> Any:
    """Health components as horizontal 0–100 bars coloured by band."""
    labels, values = data["labels"], data["values"]
    n = len(labels)
    fig = _figure(3.0, 0.3 * n + 0.45)
    ax = fig.add_axes((0.22, 0.16, 0.72, 0.8))
    y = list(range(n))[::-1]
    for yi, v in zip(y, values):
        ax.barh(yi, 100, height=0.55, color="#eef1f4", zorder=1)
        if v is None:
            ax.text(2, yi, "—", va="center", ha="left", color=GREY, zorder=3)
            continue
        band = "green" if v >= 70 else "amber" if v >= 40 else "red"
        ax.barh(yi, v, height=0.55, color=BAND[band], zorder=2)
        ax.text(min(v, 100) + 1.5 if v < 82 else v - 1.5, yi, fmt.score(v), va="center",
                ha="left" if v < 82 else "right", color=INK if v < 82 else "white", fontsize=7.5, zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 40, 70, 100])
    for xv in (40, 70):
        ax.axvline(xv, color="#b8c0c8", linewidth=0.6, linestyle=(0, (2, 2)), zorder=4)
    ax.tick_params(length=0, labelsize=7.5)
    ax.spines["left"].set_visible(False)
    return fig


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
    from .views import tint
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

    from .views import tint
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
        sep = "，" if lang == "zh" else ", "
        ax.text(xt, ym + 0.045, labels[i], ha="left", va="center", fontsize=8, color=INK)
        ax.text(xt, ym - 0.06, f"{fmt.pct(a)}{sep}{data['names'][1]} {fmt.pct(t, 0)}", ha="left",
                va="center", fontsize=7.5, color=ACCENT if over else GREY)
    return fig


KINDS = {"pyramid": pyramid, "revenue_trend": revenue_trend, "health": health, "target_bars": target_bars, "pareto": pareto}


def draw(name: str, data: dict[str, Any], id_prefix: str | None = None) -> str:
    """Render the chart `data` (a dict from views.py) to an SVG string.

    `id_prefix` (default: the chart name) starts every id in the SVG.
    """
    _setup()
    fig = KINDS[data["kind"]](data)
    return _to_svg(fig, name, id_prefix)
