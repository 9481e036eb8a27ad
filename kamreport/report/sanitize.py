"""Untrusted text -> safe HTML, and customer ids -> safe file names (SPEC §6, §8).

Markdown cells (notes, activity summaries, survey comments) and the
`--policy` file come from many hands. Python-Markdown passes raw HTML
through, so its output is cleaned by nh3 with an allow-list: no script, no
style, no event handler, no `style=` attribute (CSS `url()` would be
fetched), no `rel` (WeasyPrint embeds `rel=attachment` targets), and the only
URLs that survive are in-page anchors, `mailto:` links and images inlined as
`data:image/png|jpeg|gif;base64`. Remote and `file:` URLs never reach a
template: the PDF fetcher refuses them as well (defence in depth).
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata

import markdown as _markdown
import nh3
from markupsafe import Markup

# Block and inline elements a note can reasonably use.
ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "em", "strong", "b", "i", "u", "s", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "a", "img", "sup", "sub", "span",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
# Raster images only: an SVG data URI could itself reference external files.
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$", re.I)
_MAILTO = re.compile(r"^mailto:[^\s<>\"']+$", re.I)
_ANCHOR = re.compile(r"^#[A-Za-z0-9_.:-]*$")

# Unicode bidirectional controls: embeddings and overrides (U+202A–U+202E),
# isolates (U+2066–U+2069) and the marks (U+200E LRM, U+200F RLM, U+061C
# ALM). In a cell they can reverse the text around them where it is printed
# (an id, a date, the next column); nothing a report prints needs them, and
# the text itself (the script's own direction) stays as written.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI_TABLE = {ord(c): None for c in BIDI_CONTROLS}
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def strip_bidi(text):
    """`text` without bidi controls; a Markup stays Markup (removing them
    cannot make markup), anything else that is not a string is returned as is."""
    if not isinstance(text, str) or not _BIDI.search(text):
        return text
    out = str.translate(text, _BIDI_TABLE)
    return Markup(out) if isinstance(text, Markup) else out


# Markdown input is bounded: a cell holds at most 32,767 characters, a policy
# file is read with its own limit by build.py.
MAX_MARKDOWN = 200_000


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Keep a URL attribute only when it is inert (never fetched, never a script)."""
    if attr == "src":
        return value if tag == "img" and _DATA_IMAGE.match(value.strip()) else None
    if attr == "href":
        v = value.strip()
        return v if (_MAILTO.match(v) or _ANCHOR.match(v)) else None
    return value


def clean_html(html: str) -> str:
    """Sanitise an HTML fragment with the allow-list above."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes={"mailto", "data"},
        link_rel=None,
        strip_comments=True,
    )


def markdown_to_html(text: str | None) -> Markup:
    """Render Markdown from a cell as sanitised HTML, safe to insert unescaped.

    This is the `md` Jinja filter. Blank input gives an empty string.
    """
    if text is None:
        return Markup("")
    text = str(text)[:MAX_MARKDOWN]
    if not text.strip():
        return Markup("")
    # A booklet renders thousands of cells, many of them the same short notes
    # and summaries: each is converted once per process. Long texts are not
    # kept (4,096 of 200,000 characters would be 800 MB).
    return _remembered(text) if len(text) <= MAX_REMEMBERED else _render(text)


MAX_REMEMBERED = 2_000


def _render(text: str) -> Markup:
    html = _converter().reset().convert(strip_bidi(text))
    # Again after cleaning: an entity (&#x202E;) becomes the character itself.
    return Markup(strip_bidi(clean_html(html)))


_remembered = functools.lru_cache(maxsize=4096)(_render)


_local = threading.local()


def _converter() -> _markdown.Markdown:
    """This thread's Markdown converter, reset before each text: building one
    (its parsers and extensions) took longer than converting a short cell,
    and markdown.markdown() builds one a call (1.4 s of a 120-customer build)."""
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = _markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    return md


# --------------------------------------------------------------------------
# File names

_SLUG_BAD = re.compile(r"[^A-Za-z0-9._-]")
# Windows reserves these names with any extension ("CON.pdf" opens the console).
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
)
MAX_SLUG = 100


def slug(customer_id: str) -> str:
    """The SPEC §6 slug of one id, made safe on every file system.

    Letters, digits, `.`, `_`, `-` are kept (ASCII only: an accented letter
    or a CJK character becomes `_`, which keeps names portable); everything
    else becomes `_`. Leading dots are replaced so that no slug is `.`, `..`
    or a hidden file; an empty slug becomes `_`; a Windows device name gets a
    trailing `_`.
    """
    s = _SLUG_BAD.sub("_", unicodedata.normalize("NFC", customer_id))
    s = re.sub(r"\.{2,}", "_", s)       # no `..` anywhere, even inside a name
    s = re.sub(r"^\.", "_", s)
    s = s[:MAX_SLUG] or "_"
    if s.split(".")[0].upper() in _WINDOWS_DEVICES:
        s = s.replace(".", "_", 1) if "." in s else s
        s = s + "_"
    return s


def unique_slugs(keys: list[str], sources: list[str] | None = None, blank: str | None = None) -> dict[str, str]:
    """Slug per key (of its source, default the key itself), in the given
    order; a collision gets `-2`, `-3`, …; `blank` replaces a slug with no
    letter or digit left (王芳 -> `__`).

    Comparison is case-insensitive because Windows and macOS file systems
    are: `c1` and `C1` must not overwrite each other.
    """
    taken: set[str] = set()
    out: dict[str, str] = {}
    for cid, source in zip(keys, sources if sources is not None else keys):
        base = slug(source)
        if blank is not None and not any(c.isalnum() for c in base):
            base = blank
        s, n = base, 1
        while s.lower() in taken:
            n += 1
            s = f"{base}-{n}"
        taken.add(s.lower())
        out[cid] = s
    return out
