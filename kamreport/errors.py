"""The one exception type for problems a user can fix, and the exit codes.

A KamError is a catalog key and its parameters (kamreport/texts/errors.py),
worded when it is printed: in the language known by then (README
"Messages"). Code that knows the language stamps it on the errors that pass
through (`in_language`, `KamError.stamp`); `str(e)` is the whole sentence
in that language, else the locale's (texts.locale_lang). The CLI turns a
KamError into that one line and exit 1; anything else is a bug and keeps
its traceback.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

# Exit codes (README "Exit codes"): the CLI and run_build both answer with these.
OK = 0          # done
ERR = 1         # a problem (fatal input, a failed build or send)
USAGE = 2       # a wrong option or argument (Click's own code)
RISK = 3        # --fail-on-risk: built, and a high risk was found


class KamError(Exception):
    """A problem the user can fix; the message says where and how.

    `KamError("error.out_file", path=...)`: the key of its text in the
    catalog and the text's parameters (which may be texts.Text fragments,
    worded in the same language)."""

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params
        self.lang: str | None = None          # the language to word it in, once known

    def stamp(self, lang: str | None) -> KamError:
        """Word it in `lang` unless a language was stamped already (the
        innermost code that knew one); returns the error."""
        if self.lang is None and lang:
            self.lang = lang
        return self

    def worded(self, lang: str | None = None) -> str:
        """The sentence: in the stamped language, else `lang`, else the locale's."""
        from .texts import locale_lang, text
        return text(self.key, self.lang or lang or locale_lang(), **self.params)

    def __str__(self) -> str:
        return self.worded()

    def __reduce__(self):
        # Through a pipe or a process pool with its parameters and language.
        return _rebuild, (type(self), self.key, self.params, self.lang)


def _rebuild(cls, key: str, params: dict, lang: str | None) -> KamError:
    e = KamError.__new__(cls)
    KamError.__init__(e, key, **params)
    e.lang = lang
    return e


@contextlib.contextmanager
def in_language(lang: str | None) -> Iterator[None]:
    """A KamError that leaves the block is stamped with `lang` (if it has no
    language yet): the block knows the language the user reads."""
    try:
        yield
    except KamError as e:
        e.stamp(lang)
        raise
