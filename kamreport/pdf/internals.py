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


def internals_problem() -> str | None:
    """Why the installed WeasyPrint or pydyf is not one this package was
    written against (one line), or None."""
    import pydyf
    import weasyprint

    found = {"weasyprint": weasyprint.__version__, "pydyf": pydyf.__version__}
    wrong = [f"{name} {found[name]}" for name, series in TESTED_WITH.items()
             if not found[name].startswith(series)]
    if not wrong:
        return None
    want = " ".join(f"'{name}=={series}*'" for name, series in TESTED_WITH.items())
    return (f"kamreport {_own_version()} uses internals of WeasyPrint and pydyf and was written against "
            f"weasyprint {TESTED_WITH['weasyprint']}* and pydyf {TESTED_WITH['pydyf']}*, found "
            f"{', '.join(wrong)}: pip install {want}")


_GATE: list[str | None] = []


def require_tested_internals() -> None:
    """Raise KamError (one line) unless WeasyPrint and pydyf are the series
    this package was written against; checked once per process."""
    if not _GATE:
        _GATE.append(internals_problem())
    if _GATE[0]:
        from ..errors import KamError
        raise KamError(_GATE[0])


def _own_version() -> str:
    from .. import __version__
    return __version__
