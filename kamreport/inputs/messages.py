"""Problem messages of the reader, in Chinese and English: a view over the
message catalog (the words are in kamreport/texts/problems.py, keys
`problem.<code>`).

The reader records a problem as a code and parameters, and words it here
only at the end, once the report language is known (it comes from the
Customers headers, which may be read after the first problem was found).
"""
from __future__ import annotations

from typing import Any

from ..texts import TEXTS, text


def message(code: str, lang: str, **params: Any) -> str:
    """The message for `code` in `lang` (zh | en), with its parameters filled in."""
    key = "problem." + code
    if "limit" in params and "limit_mb" not in params:
        params["limit_mb"] = int(params["limit"]) // (1 << 20)
    hint = params.get("hint") or ""
    params["did_you_mean"] = text("problem.did_you_mean", lang, hint=hint) if hint else ""
    try:
        return text(key, lang, **params)
    except (KeyError, IndexError, ValueError):
        # A missing parameter must not hide the problem itself.
        zh, en = TEXTS[key]
        return zh if lang == "zh" else en


def effect(kind: str, lang: str) -> str:
    """The suffix that says what happened to the row: rejected or left blank."""
    return text("problem.effect." + kind, lang)
