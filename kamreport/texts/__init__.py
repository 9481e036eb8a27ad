"""Every text the product prints or renders, in Chinese and English (issue 15).

One catalog (`catalog.TEXTS`: key -> (zh, en)) and one lookup, `text(key,
lang, **params)`. The stages record what they found as codes and
parameters (a risk is `REVENUE_DROP` with its growth figures, a headline
`KEY_ACCOUNTS_LOST` with the names); the sentence is worded where it is
printed or rendered (report views, summary.json, packs), by the functions
of `sentences`, so the engine never holds a sentence and a text lives in
one place. Money, percents and dates inside those sentences go through
`kamreport.fmt`, like every other figure the product prints.

Messages (errors.KamError, the CLI's lines) are in the user's language:
`--lang` when given, else the report's (build: the workbook's language
setting or headers; send: the built period's summary.json), else the
locale's (`locale_lang`), else English (README "Messages").

This package imports nothing of the stages, so every stage may use it.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .catalog import TEXTS

__all__ = ["TEXTS", "Text", "text", "lang_of", "locale_lang"]


class Text:
    """A text not yet worded: a key and its parameters, worded by `text`
    in the language of the sentence it is a parameter of (a KamError's
    "what", a reason)."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        if key not in TEXTS:
            raise KeyError(key)
        self.key, self.params = key, params

    def worded(self, lang: str) -> str:
        return text(self.key, lang, **self.params)

    def __reduce__(self):
        return _text, (self.key, self.params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, **{self.params!r})"


def _text(key: str, params: dict) -> Text:
    return Text(key, **params)


def locale_lang(env: Mapping[str, str] | None = None) -> str:
    """zh when the locale is Chinese (the first set of LC_ALL, LC_MESSAGES,
    LANG starts with zh, as in zh_CN.UTF-8), else en."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def lang_of(lang: str | None) -> str:
    """zh for Chinese, en for everything else (the product's two languages)."""
    return "zh" if lang == "zh" else "en"


def text(key: str, lang: str, /, **params: Any) -> str:
    """The text of `key` in `lang` with its `{params}` filled in.

    An English entry may be a (one, many) pair: the form is chosen by the
    count `n` (1 -> one), since Chinese nouns do not change with number.
    A parameter that is a `Text` is worded in `lang` too.
    """
    zh, en = TEXTS[key]
    if params:      # most texts are labels without parameters (a template's t())
        params = {k: v.worded(lang) if isinstance(v, Text) else v for k, v in params.items()}
    form = zh if lang == "zh" else en
    if isinstance(form, tuple):
        form = form[0] if params.get("n") == 1 else form[1]
    return form.format(**params) if params else form
