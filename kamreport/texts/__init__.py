"""Every text the product prints or renders, in Chinese and English (issue 15).

One catalog (`catalog.TEXTS`: key -> (zh, en)) and one lookup, `text(key,
lang, **params)`. The stages record what they found as codes and
parameters (a risk is `REVENUE_DROP` with its growth figures, a headline
`KEY_ACCOUNTS_LOST` with the names); the sentence is worded where it is
printed or rendered (report views, summary.json, packs), by the functions
of `sentences`, so the engine never holds a sentence and a text lives in
one place. Money, percents and dates inside those sentences go through
`kamreport.fmt`, like every other figure the product prints.

This package imports nothing of the stages, so every stage may use it.
"""
from __future__ import annotations

from typing import Any

from .catalog import TEXTS

__all__ = ["TEXTS", "text", "lang_of"]


def lang_of(lang: str | None) -> str:
    """zh for Chinese, en for everything else (the product's two languages)."""
    return "zh" if lang == "zh" else "en"


def text(key: str, lang: str, /, **params: Any) -> str:
    """The text of `key` in `lang` with its `{params}` filled in.

    An English entry may be a (one, many) pair: the form is chosen by the
    count `n` (1 -> one), since Chinese nouns do not change with number.
    """
    zh, en = TEXTS[key]
    form = zh if lang == "zh" else en
    if isinstance(form, tuple):
        form = form[0] if params.get("n") == 1 else form[1]
    return form.format(**params) if params else form
