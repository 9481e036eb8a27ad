"""The catalog: every text the product prints or renders, key -> (zh, en).

One module per kind of text, merged here into one table with one lookup
(`texts.text`): the documents' labels (documents.py), the engine's
findings worded (findings.py), the reader's problems and the validate
report (problems.py), the Settings sheet's warnings (settings.py), the
mails of `kamreport send` (mail.py). `{name}` placeholders are filled by
`texts.text`; both languages take the same parameters (tests/test_texts.py).
A key belongs to one module only: the merge refuses a key given twice, so
no text can live in two places.
"""
from __future__ import annotations

from collections.abc import Mapping

from .documents import LABELS
from .errors import ERRORS
from .findings import FINDINGS
from .mail import MAIL
from .problems import PROBLEMS
from .settings import SETTINGS

Entry = tuple[str, "str | tuple[str, str]"]


def _merged(*parts: Mapping[str, Entry]) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for part in parts:
        twice = out.keys() & part.keys()
        if twice:
            raise ValueError(f"text keys defined twice: {sorted(twice)}")
        out.update(part)
    return out


TEXTS: dict[str, Entry] = _merged(LABELS, FINDINGS, PROBLEMS, SETTINGS, MAIL, ERRORS)
