"""What a build needs from the machine, checked before any work (SPEC §8
"Checks its ground").

`check(...)` runs first in `kamreport build` (cli.py) and refuses, one line
per missing thing, when

- the PDFs would need a CJK font and fontconfig knows none. A CJK font is
  needed when PDF output is asked for and the report is Chinese (`--lang
  zh`) or the workbooks hold any CJK text (the names and cells of the
  sheets kamreport reads, straight from the .xlsx zip, the first 64 MB of
  each; this also covers a workbook whose language comes from its Chinese
  headers; a Chinese README sheet does not count). An English PDF of English data
  needs none. HTML alone needs none: the browser brings its fonts.
- fontconfig knows no font at all (every glyph would be a box);
- WeasyPrint cannot load (Pango missing) or is not the version whose
  internals kamreport uses (pdf.internals_problem);
- the out folder is not a folder, cannot be written, or has less than
  MIN_FREE bytes free.

HarfBuzz subsetting is not a refusal: without libharfbuzz-subset the PDFs
are written through WeasyPrint's fontTools path (slower) and the build
warns once (build.py).

KAMREPORT_CJK_FONT=/path/font.otf (or .ttf, .ttc) points kamreport at a
font file instead of an installed one: `use_font_file` writes a fontconfig
file that includes the machine's configuration, adds the file's folder (a
folder holding only a link to the file) and makes the file's family the
preferred one for the CJK families the templates name; FONTCONFIG_FILE
then points at it for this process and its workers (WeasyPrint, fc-match
in pdf/fonts.py, and the charts through `cjk_font`).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Collection

from ..atomic import write_atomic
from ..errors import KamError
from ..texts import locale_lang, text

CJK_FONT_ENV = "KAMREPORT_CJK_FONT"
MIN_FREE = 20 * 1024 * 1024          # bytes free in the out folder's file system
# The CJK families the templates and charts name (style.css, charts.FONTS).
TEMPLATE_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP")
# (The cover's "Noto Serif CJK SC" is not aliased: without it, fontconfig's
# fallback for Chinese text finds the file's family anyway.)
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]")
_SCAN_LIMIT = 64 * 1024 * 1024       # uncompressed bytes looked at per workbook



def _install_cjk(lang: str) -> str:
    return text("ground.install_cjk", lang, env=CJK_FONT_ENV)


class GroundError(KamError):
    """The machine lacks what the build needs; one line per missing thing,
    each worded already (in check's language: --lang, else the locale's)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("ground.lines", lines="\n".join(problems))
        self.problems = problems

    def __reduce__(self):
        return GroundError, (self.problems,)


# --------------------------------------------------------------------------
# fontconfig, through its library (what Pango uses), else the fc-list tool


@dataclass(frozen=True, order=True)
class FontFile:
    family: str
    path: str
    index: int = 0
    weight: int = 80                  # fontconfig weight: 80 regular, 200 bold


_FC_CDEF = """
typedef struct _FcConfig FcConfig; typedef struct _FcPattern FcPattern;
typedef struct _FcObjectSet FcObjectSet;
typedef struct { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
typedef int FcBool; typedef unsigned char FcChar8;
typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId,
               FcResultOutOfMemory } FcResult;
FcConfig *FcInitLoadConfigAndFonts (void);
void FcConfigDestroy (FcConfig *config);
FcPattern *FcNameParse (const FcChar8 *name);
void FcPatternDestroy (FcPattern *p);
FcObjectSet *FcObjectSetCreate (void);
FcBool FcObjectSetAdd (FcObjectSet *os, const char *object);
void FcObjectSetDestroy (FcObjectSet *os);
FcFontSet *FcFontList (FcConfig *config, FcPattern *p, FcObjectSet *os);
void FcFontSetDestroy (FcFontSet *s);
FcResult FcPatternGetString (const FcPattern *p, const char *object, int n, FcChar8 **s);
FcResult FcPatternGetInteger (const FcPattern *p, const char *object, int n, int *i);
"""
_FC_NAMES = ("libfontconfig.so.1", "libfontconfig-1", "fontconfig-1", "fontconfig",
             "libfontconfig.1.dylib", "libfontconfig-1.dll")
_FC = None


def _fontconfig():
    """(ffi, lib) for libfontconfig, or None when it cannot be loaded."""
    global _FC
    if _FC is None:
        _FC = False
        try:
            import cffi
            ffi = cffi.FFI()
            ffi.cdef(_FC_CDEF)
        except Exception:  # noqa: BLE001 - no cffi: the fc-list tool instead
            return None
        for name in _FC_NAMES:
            try:
                _FC = (ffi, ffi.dlopen(name))
                break
            except OSError:
                continue
    return _FC or None


def list_fonts(pattern: str = "") -> list[FontFile] | None:
    """The fonts fontconfig lists for `pattern` (":lang=zh", "" for all),
    sorted; None when neither libfontconfig nor fc-list is available.

    The configuration is loaded afresh each call, so FONTCONFIG_FILE as it
    is now applies (use_font_file changes it)."""
    fc = _fontconfig()
    if fc is not None:
        ffi, lib = fc
        config = lib.FcInitLoadConfigAndFonts()
        pat = lib.FcNameParse((pattern or ":").encode())
        objects = lib.FcObjectSetCreate()
        for name in (b"family", b"file", b"index", b"weight"):
            lib.FcObjectSetAdd(objects, name)
        found = lib.FcFontList(config, pat, objects)
        out = []
        try:
            s, i = ffi.new("FcChar8 **"), ffi.new("int *")
            for k in range(found.nfont if found != ffi.NULL else 0):
                p = found.fonts[k]
                if lib.FcPatternGetString(p, b"file", 0, s) != 0:
                    continue
                path = ffi.string(s[0]).decode("utf-8", "replace")
                family = (ffi.string(s[0]).decode("utf-8", "replace")
                          if lib.FcPatternGetString(p, b"family", 0, s) == 0 else "")
                index = i[0] if lib.FcPatternGetInteger(p, b"index", 0, i) == 0 else 0
                weight = i[0] if lib.FcPatternGetInteger(p, b"weight", 0, i) == 0 else 80
                out.append(FontFile(family, path, index, weight))
        finally:
            if found != ffi.NULL:
                lib.FcFontSetDestroy(found)
            lib.FcObjectSetDestroy(objects)
            lib.FcPatternDestroy(pat)
            lib.FcConfigDestroy(config)
        return sorted(set(out))
    try:
        text = subprocess.run(["fc-list", "-f", "%{family[0]}\t%{file}\t%{index}\t%{weight}\n",
                               pattern or ":"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    out = []
    for line in text.splitlines():
        f = line.split("\t")
        if len(f) == 4 and f[1]:
            out.append(FontFile(f[0], f[1], int(f[2]) if f[2].isdigit() else 0,
                                int(f[3]) if f[3].isdigit() else 80))
    return sorted(set(out))


def cjk_fonts() -> list[FontFile]:
    """The regular and the bold CJK font (cjk_font), each once; [] when none."""
    fonts = list_fonts(":lang=zh") or []
    out = [cjk_font(False, fonts), cjk_font(True, fonts)]
    return [f for i, f in enumerate(out) if f is not None and f not in out[:i]]


def cjk_font(bold: bool = False, fonts: list[FontFile] | None = None) -> FontFile | None:
    """The CJK font the PDFs use, for the charts to measure with: the
    KAMREPORT_CJK_FONT file, else the first of the templates' CJK families
    that fontconfig has, else any font fontconfig lists for Chinese (a sans
    one first); None when there is none."""
    fonts = (list_fonts(":lang=zh") or []) if fonts is None else fonts
    weight = 200 if bold else 80

    def rank(f: FontFile):
        named = f.family in TEMPLATE_CJK_FAMILIES
        return (0 if os.environ.get(CJK_FONT_ENV) and _same_file(f.path, os.environ[CJK_FONT_ENV]) else 1,
                TEMPLATE_CJK_FAMILIES.index(f.family) if named else 9,
                0 if "sans" in f.family.lower() else 1, abs(f.weight - weight), f)
    return min(fonts, key=rank) if fonts else None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# --------------------------------------------------------------------------
# KAMREPORT_CJK_FONT


def _face(path: str) -> tuple[str, bool]:
    """The family name of the font file's Chinese face and whether it has
    Chinese glyphs (a collection: its Simplified Chinese face, else the
    first). Raises ValueError when it is not a font."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError
    try:
        # Lazy fonts read their tables from the stream: ours, closed here.
        with open(path, "rb") as fh:
            head = fh.read(4)
            fh.seek(0)
            fonts = TTCollection(fh, lazy=True).fonts if head == b"ttcf" else [TTFont(fh, lazy=True)]
            faces = []
            for font in fonts:
                name = font["name"]
                family = str(name.getDebugName(16) or name.getDebugName(1) or "")
                cmap = font.getBestCmap() or {}
                faces.append((family, 0x4E2D in cmap and 0x5BA2 in cmap))      # 中, 客
    except (OSError, TTLibError, KeyError, AssertionError, ValueError) as e:
        raise ValueError(str(e)) from None
    if not faces:
        raise ValueError("no font in the file")
    for family, chinese in faces:
        if chinese and re.search(r"\b(SC|CN|GB)\b|Simplified", family):
            return family, True
    return next(((f, c) for f, c in faces if c), faces[0])


def _default_config() -> str | None:
    """The fontconfig file in use now (to include from ours)."""
    for candidate in (os.environ.get("FONTCONFIG_FILE"),
                      os.path.join(os.environ.get("FONTCONFIG_PATH", ""), "fonts.conf")
                      if os.environ.get("FONTCONFIG_PATH") else None,
                      "/etc/fonts/fonts.conf", "/opt/homebrew/etc/fonts/fonts.conf",
                      "/usr/local/etc/fonts/fonts.conf"):
        if candidate and os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def use_font_file(path: str, lang: str | None = None) -> str:
    """Make the font file at `path` fontconfig's CJK font for this process
    and its children (FONTCONFIG_FILE); its family name. Raises GroundError
    (worded in `lang`, else the locale's)."""
    lang = lang or locale_lang()
    src = Path(path).expanduser()
    if not src.is_file():
        raise GroundError([text("ground.font_missing", lang, env=CJK_FONT_ENV, path=path)])
    src = src.resolve()
    try:
        family, chinese = _face(str(src))
    except ValueError as e:
        raise GroundError([text("ground.font_unreadable", lang, env=CJK_FONT_ENV, path=path, reason=e)])
    if not chinese:
        raise GroundError([text("ground.font_not_zh", lang, env=CJK_FONT_ENV, path=path,
                                install=_install_cjk(lang))])
    include = _default_config()
    key = hashlib.sha256(f"{src}\0{include}".encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kamreport" / f"cjk-{key}"
    for root in (base, Path(tempfile.gettempdir()) / f"kamreport-{os.getuid() if hasattr(os, 'getuid') else 0}-cjk-{key}"):
        try:
            fonts = root / "fonts"
            fonts.mkdir(parents=True, exist_ok=True)
            link = fonts / src.name
            if not (link.exists() and _same_file(str(link), str(src))):
                if link.is_symlink() or link.exists():
                    link.unlink()
                try:
                    link.symlink_to(src)
                except OSError:
                    shutil.copyfile(src, link)
            alias = "".join(f'  <alias binding="strong"><family>{_xml(f)}</family>'
                            f'<prefer><family>{_xml(family)}</family></prefer></alias>\n'
                            for f in TEMPLATE_CJK_FAMILIES if f != family)
            conf = ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    "<fontconfig>\n"
                    + (f'  <include ignore_missing="yes">{_xml(include)}</include>\n' if include else "")
                    + f"  <dir>{_xml(str(fonts))}</dir>\n"
                    + f"  <cachedir>{_xml(str(root / 'cache'))}</cachedir>\n" + alias + "</fontconfig>\n")
            target = root / "fonts.conf"
            if not target.is_file() or target.read_text(encoding="utf-8") != conf:
                write_atomic(target, conf.encode("utf-8"))
            break
        except OSError:
            continue
    else:
        raise GroundError([text("ground.font_config", lang, env=CJK_FONT_ENV, path=path, tried=base)])
    os.environ["FONTCONFIG_FILE"] = str(target)
    return family


# --------------------------------------------------------------------------
# The inputs and the out folder


_SHEET = re.compile(r"<(?:\w+:)?sheet\s([^>]*)>")
_REL = re.compile(r"<(?:\w+:)?Relationship\s([^>]*)>")
_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
_SHARED_CELL = re.compile(rb'<c\b[^>]*?\bt="s"[^>]*>\s*<v>(\d+)</v>')
_SI = re.compile(r"<si>(.*?)</si>", re.S)


def _data_sheets(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, part) of the workbook's sheets that kamreport reads (schema
    names): a README sheet in Chinese does not make a report Chinese."""
    import html
    from ..inputs.schema import find_sheet
    names = set(z.namelist())
    if "xl/workbook.xml" not in names:
        return []
    book = z.read("xl/workbook.xml")[:_SCAN_LIMIT].decode("utf-8", "replace")
    rels = z.read("xl/_rels/workbook.xml.rels")[:_SCAN_LIMIT].decode("utf-8", "replace") \
        if "xl/_rels/workbook.xml.rels" in names else ""
    targets = {}
    for attrs in _REL.findall(rels):
        a = dict(_ATTR.findall(attrs))
        t = a.get("Target", "")
        targets[a.get("Id")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    out = []
    for attrs in _SHEET.findall(book):
        a = dict(_ATTR.findall(attrs))
        name = html.unescape(a.get("name", ""))
        rid = next((v for k, v in a.items() if k == "id" or k.endswith(":id")), None)
        if find_sheet(name) is not None and targets.get(rid) in names:
            out.append((name, targets[rid]))
    return out


_CHAR_REF = re.compile(rb"&#(x[0-9a-fA-F]+|[0-9]+);")


def _cjk_reference(data: bytes) -> bool:
    """CJK written as XML character references (`&#21326;`: openpyxl does)."""
    for m in _CHAR_REF.finditer(data):
        ref = m[1].decode()
        code = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
        if code < 0x110000 and _CJK.match(chr(code)):
            return True
    return False


def has_cjk_text(workbooks: list[str]) -> bool:
    """Whether any workbook's data sheets (the sheets kamreport reads) hold
    CJK text: in their names or their cells.

    Cheap and bounded: straight from the .xlsx zip, at most _SCAN_LIMIT
    uncompressed bytes per workbook, stopping at the first CJK character;
    shared strings count when a data sheet's cell uses them. Text past the
    limit is not looked at; a file that is not a readable .xlsx counts as
    none (reading it reports it).
    """
    for path in workbooks:
        budget = _SCAN_LIMIT
        try:
            with zipfile.ZipFile(path) as z:
                sheets = _data_sheets(z)
                if any(_CJK.search(name) for name, _ in sheets):
                    return True
                shared: set[int] = set()
                for _, part in sheets:
                    with z.open(part) as fh:
                        tail = b""
                        while budget > 0:
                            chunk = fh.read(min(1 << 20, budget))
                            if not chunk:
                                break
                            budget -= len(chunk)
                            data = tail + chunk
                            if _CJK.search(data.decode("utf-8", "ignore")) or _cjk_reference(data):
                                return True
                            shared.update(int(n) for n in _SHARED_CELL.findall(data))
                            tail = data[-200:]
                if shared and "xl/sharedStrings.xml" in z.namelist() and budget > 0:
                    with z.open("xl/sharedStrings.xml") as fh:
                        text = fh.read(budget).decode("utf-8", "ignore")
                    for i, item in enumerate(_SI.findall(text)):
                        if i in shared and _CJK.search(item):
                            return True
        except (OSError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError, KeyError):
            continue
    return False


def out_problem(out_dir: str, need: int = MIN_FREE, lang: str | None = None) -> str | None:
    """Why the out folder cannot take a build (in `lang`, else the locale's), or None."""
    lang = lang or locale_lang()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        return text("ground.out_is_file", lang, out=out_dir)
    existing = out
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        return text("ground.out_under_file", lang, out=out_dir, existing=existing)
    try:
        fd, probe = tempfile.mkstemp(prefix=".kamreport-probe-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        return text("ground.out_not_writable", lang, out=out_dir, existing=existing, reason=e.strerror or e)
    try:
        free = shutil.disk_usage(existing).free
    except OSError:
        return None
    if free < need:
        return text("ground.out_no_room", lang, out=out_dir, free=free / 1e6, need=need / 1e6)
    return None


# --------------------------------------------------------------------------
# The check


def quiet_libraries(quiet: bool) -> None:
    """Library chatter off stderr: WeasyPrint's import-time warnings about
    HarfBuzz-Subset and an empty fontconfig always (the build and check()
    say those in their own words); with --quiet,
    every Python warning and any log record no handler takes (logging's
    last-resort handler prints those on stderr). Forked workers inherit it."""
    import logging
    import warnings
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset will be required")
    warnings.filterwarnings("ignore", message="No fonts configured in FontConfig")    # check() says so
    if quiet:
        warnings.simplefilter("ignore")
        root = logging.getLogger()
        if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
            root.addHandler(logging.NullHandler())


def _weasyprint_problem(lang: str) -> str | None:
    try:
        import weasyprint  # noqa: F401
    except OSError as e:
        return text("ground.no_pango", lang, reason=str(e).splitlines()[0][:120])
    except ImportError as e:
        return text("ground.no_weasyprint", lang, reason=e)
    from .internals import internals_problem
    return internals_problem(lang)


def check(*, workbooks: list[str], out_dir: str, formats: Collection[str], lang: str | None,
          quiet: bool = False) -> None:
    """Refuse (GroundError, one line per problem) before any work when the
    machine cannot make what was asked for; see the module docstring.
    `formats`: the output formats, as the CLI parsed them. The lines are
    in `lang` (--lang), else the locale's: the workbooks are not read yet."""
    quiet_libraries(quiet)
    said = lang or locale_lang()
    problems: list[str] = []
    pdf = "pdf" in formats
    if pdf:
        if os.environ.get(CJK_FONT_ENV):
            use_font_file(os.environ[CJK_FONT_ENV], said)
        problem = _weasyprint_problem(said)
        if problem:
            problems.append(problem)
        every = list_fonts()
        if every is not None:           # no fontconfig at all: WeasyPrint said so above
            if not every:
                problems.append(text("ground.no_fonts", said))
            elif (lang == "zh" or has_cjk_text(workbooks)) and not list_fonts(":lang=zh"):
                what = text("ground.report_is_zh" if lang == "zh" else "ground.workbooks_zh", said)
                problems.append(text("ground.no_cjk", said, what=what, install=_install_cjk(said)))
    problem = out_problem(out_dir, lang=said)
    if problem:
        problems.append(problem)
    if problems:
        raise GroundError(problems)


def main_check(**kwargs) -> int | None:
    """check() for the CLI: None when the build may go on, else the exit
    code after printing each problem on one line."""
    try:
        check(**kwargs)
    except GroundError as e:
        said = kwargs.get("lang") or locale_lang()
        for p in e.problems:
            print(text("cli.error_line", said, message=p), file=sys.stderr)
        return 1
    return None
