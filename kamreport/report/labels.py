"""Every label the reports print, in Chinese and English: a view over the
message catalog (kamreport.texts; the words themselves are in
texts/documents.py).

`translator(lang)` returns `t`, registered as a Jinja global: `t("revenue_q")`
-> "本期销售额" / "Revenue (period)". Enum values have dotted keys
(`tier.key`, `risk.REVENUE_DROP`, `role.decision_maker`) so views can label
them with `t(prefix + "." + value)`. A key missing in the catalog prints as
itself (visible, never a crash in a user's template); tests check that both
languages have the same keys and that every literal `t("…")` in the packaged
templates exists.
"""
from __future__ import annotations

from typing import Callable

from ..texts import TEXTS, lang_of, text
from ..texts.documents import LABELS

__all__ = ["LABELS", "label", "translator"]


def label(key: str, lang: str, **kw: object) -> str:
    """The label of `key` in `lang`; `{name}` placeholders filled from kw."""
    if key not in TEXTS:
        return key
    return text(key, lang, **kw)


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **kw)` for one language; registered as the Jinja global `t`."""
    lang = lang_of(lang)

    def t(key: str, **kw: object) -> str:
        return label(key, lang, **kw)
    t.lang = lang  # type: ignore[attr-defined]
    return t
