"""The WeasyPrint and pydyf this package was written against: the version gate.

kamreport uses their internals, in two modules only. pieces.py: WeasyPrint's
`weasyprint.pdf.generate_pdf` (its pydyf objects before they are written),
the laid-out pages' `links`, `anchors` and `bookmarks`; pydyf's
`PDF.objects`, `.pages` (Kids written as "n 0 R" triples), `.catalog`,
`.info`, `Stream.stream/.extra/.compress`, `Object.number/.reference` and
`_to_bytes`. fonts.py: `Font._harfbuzz_subset` (replaced by
`_one_pass_subset`), `Font.hb_face`, `.missing`, `.file_content` and
`weasyprint.text.ffi` (its cffi handle and the HarfBuzz libraries it
loaded). setup.cfg pins both to these series; tests/test_pdf.py's contract
tests fail when their shape changes, and `require_tested_internals` refuses
any other series with one line saying what to install.
"""
from __future__ import annotations

TESTED_WITH = {"weasyprint": "70.", "pydyf": "0.13."}


def internals_problem(lang: str | None = None) -> str | None:
    """Why the installed WeasyPrint or pydyf is not one this package was
    written against (one line, in `lang`, else the locale's), or None."""
    from ..texts import locale_lang
    problem = _internals_text()
    return problem.worded(lang or locale_lang()) if problem else None


def _internals_text():
    """internals_problem as a texts.Text, not yet worded."""
    from ..texts import Text
    import pydyf
    import weasyprint

    found = {"weasyprint": weasyprint.__version__, "pydyf": pydyf.__version__}
    wrong = [f"{name} {found[name]}" for name, series in TESTED_WITH.items()
             if not found[name].startswith(series)]
    if not wrong:
        return None
    want = " ".join(f"'{name}=={series}*'" for name, series in TESTED_WITH.items())
    return Text("pdf.internals", version=_own_version(), weasyprint=TESTED_WITH["weasyprint"],
                pydyf=TESTED_WITH["pydyf"], found=", ".join(wrong), want=want)


_GATE: list = []


def require_tested_internals() -> None:
    """Raise KamError (one line) unless WeasyPrint and pydyf are the series
    this package was written against; checked once per process."""
    if not _GATE:
        _GATE.append(_internals_text())
    if _GATE[0]:
        from ..errors import KamError
        raise KamError(_GATE[0].key, **_GATE[0].params)


def _own_version() -> str:
    from .. import __version__
    return __version__
