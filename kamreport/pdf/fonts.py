"""Fonts: each piece's subsets in one HarfBuzz pass, and one subset per
font in the booklet.

Every piece embeds its own subset of each font. WeasyPrint subsets with
HarfBuzz keeping the original glyph ids (HB_SUBSET_FLAGS_RETAIN_GIDS), so
the pieces' content streams all refer to the same ids: the booklet can use
ONE subset per font made from the union of the glyphs, and every piece's
font dictionary can point at it (`merge_fonts`). The original font file is
found with fontconfig and checked against the embedded subset (same
name-table identity) before it is used; when anything does not match, the
pieces keep their own subsets. HarfBuzz-Subset is bound here with cffi
(WeasyPrint binds only the calls it makes); fontTools is the fallback when
it cannot be loaded.

WeasyPrint internals used here (see internals.py): `Font._harfbuzz_subset`,
`Font.hb_face`, `.missing`, `.file_content`, `weasyprint.text.ffi`.
"""
from __future__ import annotations

import io
import logging
import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pieces import FontUse, Parts

LOG = logging.getLogger("kamreport.pdf")


def subsetting_problem(lang: str = "en") -> str | None:
    """Why fonts would be subset by the slow fontTools fallback (in `lang`), or None.

    WeasyPrint uses HarfBuzz-Subset when libharfbuzz-subset0 (≥ 4.1) can be
    loaded; otherwise it falls back to fontTools, which takes seconds per
    CJK font and per PDF.
    """
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    from ..texts import text
    if harfbuzz_subset is None:
        return text("build.no_harfbuzz_subset", lang)
    if not harfbuzz.hb_version_atleast(4, 1, 0):
        return text("build.old_harfbuzz", lang)
    return None


# --------------------------------------------------------------------------
# Font subsets in one HarfBuzz pass


def _one_pass_subset(self, to_unicode, hinting):
    """WeasyPrint's `Font._harfbuzz_subset` in one pass instead of two.

    WeasyPrint subsets with the original glyph ids kept, then subsets the
    result again to drop the hints and the empty glyph slots above the
    highest id used. HarfBuzz (6.0 here) already ends a subset that keeps
    the glyph ids at the highest id kept, and WeasyPrint's second pass
    leaves out the tables HarfBuzz does not know (FontForge's FFTM, say),
    so one pass that drops the hints and does not pass unknown tables
    through writes the same bytes: a test compares whole PDFs with CJK (CFF)
    and DejaVu (TrueType) fonts. The second pass re-reads a 65,535-glyph
    CJK font: ~45 ms per font and document, 2–3 fonts per account plan,
    ~15 s of CPU over a 100-account build. When HarfBuzz fails, WeasyPrint's
    own method runs (and warns as it does).
    """
    from weasyprint.text.ffi import ffi as weasyprint_ffi

    ffi = _harfbuzz()[0]
    face = ffi.cast("hb_face_t *", int(weasyprint_ffi.cast("uintptr_t", self.hb_face)))
    content = _subset_face(face, to_unicode, hinting=hinting, notdef_outline=bool(self.missing))
    if content:
        self.file_content = content
        return
    _WEASYPRINT_SUBSET(self, to_unicode, hinting)     # as WeasyPrint would, warning and all


_WEASYPRINT_SUBSET = None


def use_one_pass_subsets() -> bool:
    """Make WeasyPrint subset fonts in one pass (see _one_pass_subset).

    Only for the WeasyPrint this was written against (the private method
    exists, HarfBuzz-Subset is loaded); otherwise WeasyPrint is left as it is.
    """
    global _WEASYPRINT_SUBSET
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    current = getattr(fonts.Font, "_harfbuzz_subset", None)
    if current is _one_pass_subset:
        return True
    if current is None or harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0) \
            or _harfbuzz() is None:
        return False
    _WEASYPRINT_SUBSET = current
    fonts.Font._harfbuzz_subset = _one_pass_subset
    return True


# --------------------------------------------------------------------------
# HarfBuzz-Subset through cffi

_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
unsigned int hb_face_get_glyph_count (const hb_face_t *face);
void hb_set_add (hb_set_t *set, uint32_t codepoint);
uint32_t hb_tag_from_string (const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
# hb-subset.h
_RETAIN_GIDS, _DESUBROUTINIZE, _NO_HINTING, _NOTDEF_OUTLINE = 0x2, 0x4, 0x1, 0x40
_SETS_DROP_TABLE_TAG = 3
# The tables WeasyPrint drops from its subsets (weasyprint/pdf/fonts.py).
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
                b"PCLT", b"SVG ")
# The names WeasyPrint tries (weasyprint/text/ffi.py), for each platform.
_HB_NAMES = ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0", "libharfbuzz.0.dylib",
             "libharfbuzz-0.dll")
_HB_SUBSET_NAMES = ("libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0",
                    "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll")
_HB = None


def _dlopen(ffi, names: tuple[str, ...]):
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    return None


def _harfbuzz():
    """(ffi, libharfbuzz, libharfbuzz-subset), or None when either library
    cannot be loaded: then WeasyPrint subsets as it does (fontTools when it
    has no HarfBuzz-Subset either) and the booklet keeps each piece's own
    font subsets (_merge_fonts)."""
    global _HB
    if _HB is None:
        import cffi
        ffi = cffi.FFI()
        ffi.cdef(_HB_CDEF)
        hb = _dlopen(ffi, _HB_NAMES)
        hbs = _dlopen(ffi, _HB_SUBSET_NAMES) if hb is not None else None
        _HB = (ffi, hb, hbs) if hbs is not None else False
    return _HB or None


def _subset_face(face, gids, *, hinting: bool, notdef_outline: bool) -> bytes | None:
    """`face` reduced to `gids` in one pass, glyph ids kept, WeasyPrint's
    tables dropped: the recipe of every font subset kamreport writes (the
    pieces' through _one_pass_subset, the booklet's merged ones). None when
    HarfBuzz fails."""
    ffi, hb, hbs = _harfbuzz()
    inp = hbs.hb_subset_input_create_or_fail()
    glyphs = hbs.hb_subset_input_glyph_set(inp)
    for g in sorted(gids):
        hb.hb_set_add(glyphs, g)
    drop = hbs.hb_subset_input_set(inp, _SETS_DROP_TABLE_TAG)
    for tag in _DROP_TABLES:
        hb.hb_set_add(drop, hb.hb_tag_from_string(tag, 4))
    hbs.hb_subset_input_set_flags(inp, _RETAIN_GIDS | _DESUBROUTINIZE | (0 if hinting else _NO_HINTING)
                                  | (_NOTDEF_OUTLINE if notdef_outline else 0))
    result = hbs.hb_subset_or_fail(face, inp)
    hbs.hb_subset_input_destroy(inp)
    if result == ffi.NULL:
        return None
    data_blob = hb.hb_face_reference_blob(result)
    length = ffi.new("unsigned int *")
    data = bytes(ffi.buffer(hb.hb_blob_get_data(data_blob, length), length[0]))
    hb.hb_blob_destroy(data_blob)
    hb.hb_face_destroy(result)
    return data or None


def _hb_subset(path: str, index: int, gids: set[int], notdef_outline: bool) -> bytes | None:
    """The font at path/index reduced to `gids`, glyph ids kept (as WeasyPrint
    does); None when HarfBuzz fails or cannot be loaded."""
    if _harfbuzz() is None:
        return None
    ffi, hb, _hbs = _harfbuzz()
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        return None
    face = hb.hb_face_create(blob, index)
    try:
        if max(gids) >= hb.hb_face_get_glyph_count(face):
            return None
        return _subset_face(face, gids, hinting=False, notdef_outline=notdef_outline)
    finally:
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _fonttools_subset(path: str, index: int, gids: set[int], notdef_outline: bool) -> bytes | None:
    """_hb_subset's recipe with fontTools (no HarfBuzz-Subset): glyph ids
    kept, no hints, WeasyPrint's tables dropped. None when fontTools fails."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(retain_gids=True, passthrough_tables=False, ignore_missing_glyphs=True,
                             hinting=False, desubroutinize=True, notdef_outline=notdef_outline)
    options.drop_tables += [t.decode().strip() for t in _DROP_TABLES]
    try:
        with TTFont(path, fontNumber=index, lazy=False) as font:
            if max(gids) >= font["maxp"].numGlyphs:
                return None
            subsetter = subset.Subsetter(options)
            subsetter.populate(gids=sorted(gids))
            subsetter.subset(font)
            out = io.BytesIO()
            font.save(out)
    except Exception:  # noqa: BLE001 - any failure: the pieces keep their own subsets
        LOG.debug("fontTools could not subset %s", path, exc_info=True)
        return None
    return out.getvalue() or None


def _identity(font_bytes: bytes | str, index: int = 0) -> tuple | None:
    """Name-table identity of a font: (unique id, version, PostScript name)."""
    from fontTools.ttLib import TTFont
    try:
        src = io.BytesIO(font_bytes) if isinstance(font_bytes, bytes) else font_bytes
        with TTFont(src, fontNumber=index, lazy=True) as font:     # closes the file it opened
            name = font["name"]
            return tuple(name.getDebugName(i) for i in (3, 5, 6))
    except Exception:  # noqa: BLE001 - any unreadable font: no identity, no merge
        return None


def _find_original(family: str, bold: bool, italic: bool, subset: bytes) -> tuple[str, int] | None:
    """The installed font file and face index the subset was made from."""
    import subprocess
    pattern = family + (":weight=bold" if bold else ":weight=regular") + (":slant=italic" if italic else "")
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", pattern],
                               capture_output=True, text=True, timeout=10).stdout.split("\n")
        path, index = found[0], int(found[1])
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return None
    want = _identity(subset)
    return (path, index) if want and want == _identity(path, index) else None


def _cmap(mapping: dict[int, bytes]) -> bytes:
    items = sorted(mapping.items())
    blocks = []
    for i in range(0, len(items), 100):       # at most 100 entries per block (PDF spec)
        chunk = items[i:i + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n".encode()
                      + b"".join(b"<%04x> <%s>\n" % (g, u) for g, u in chunk) + b"endbfchar\n")
    return (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            b"/CIDSystemInfo\n<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
            + b"".join(blocks) + b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")


# --------------------------------------------------------------------------
# One copy of each font in the booklet


def merge_fonts(every: list[Parts], book) -> list[dict[int, int]]:
    """One subset per font for all `every`: written to `book`; per parts,
    the number of each merged Type0 font -> the booklet's.

    WeasyPrint subsets with HarfBuzz keeping the original glyph ids, so all
    pieces' content streams refer to the same ids: one subset made from the
    union of their glyphs serves them all. The original font file is found
    with fontconfig and checked against an embedded subset (same name-table
    identity) before it is used; when anything does not match, the pieces
    keep their own subsets. Without HarfBuzz-Subset the merged subsets are
    made with fontTools (a few seconds per CJK font, once per booklet).
    `book` is the booklet being written (booklet.Writer: `new()` a number,
    `put(number, head, stream)` an object).
    """
    maps: list[dict[int, int]] = [{} for _ in every]
    subset_font = _hb_subset if _harfbuzz() is not None else _fonttools_subset
    groups: dict[bytes, list[tuple[int, FontUse]]] = {}
    for i, parts in enumerate(every):
        for use in parts.fonts:
            groups.setdefault(use.base, []).append((i, use))
    for base, uses in sorted(groups.items()):
        first = uses[0][1]
        if len(uses) < 2 or any(u.key != first.key for _, u in uses):
            continue
        widths: dict[int, bytes] = {}
        unicode: dict[int, bytes] = {}
        for _, use in uses:
            widths.update(use.widths)
            unicode.update(use.unicode)
        subset = every[uses[0][0]].objects[first.subset][1]
        original = _find_original(first.family, first.bold, first.italic,
                                  zlib.decompress(subset) if first.deflated else subset)
        program = original and subset_font(original[0], original[1], set(widths) | set(unicode) | {0},
                                           notdef_outline=False)
        if not program:
            continue
        font, cid, descriptor, file, tounicode = (book.new() for _ in range(5))
        packed = zlib.compress(program, 6)
        book.put(file, first.program[:-2] + b"/Filter /FlateDecode/Length %d%s>>" % (
            len(packed), b"/Length1 %d" % len(program) if first.key == "FontFile2" else b""), packed)
        book.put(descriptor, first.descriptor[:-2] + b"/%s %d 0 R>>" % (first.key.encode(), file))
        runs: list[list] = []           # consecutive glyph ids: [first id, width, width, ...]
        for g in sorted(widths):
            if runs and g - 1 in widths:
                runs[-1].append(widths[g])
            else:
                runs.append([g, widths[g]])
        w = b" ".join(b"%d [%s]" % (r[0], b" ".join(r[1:])) for r in runs)
        book.put(cid, first.cid[:-2] + b"/W [%s]/FontDescriptor %d 0 R>>" % (w, descriptor))
        cmap = zlib.compress(_cmap(unicode), 6)
        book.put(tounicode, b"<</Filter /FlateDecode/Length %d>>" % len(cmap), cmap)
        book.put(font, b"<</Type /Font/Subtype /Type0/BaseFont %s/Encoding /Identity-H"
                       b"/DescendantFonts [%d 0 R]/ToUnicode %d 0 R>>" % (base, cid, tounicode))
        for i, use in uses:
            maps[i][use.number] = font
    return maps
