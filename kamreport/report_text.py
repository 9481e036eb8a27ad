"""Plain-text report of `kamreport validate` (SPEC §7).

One line per problem in a fixed, greppable form (as compilers print them):

    customers.xlsx:Sales!C17: error: revenue "abc" is not a number; …

then the row accounting of every sheet and the totals. The severity word
stays English in both languages so scripts can grep it; the message is in
the report language.
"""
from __future__ import annotations

from typing import TextIO

import click

from . import schema
from .model import ERROR, FATAL, INFO, WARNING, Dataset

TEXT = {
    "rows": {"en": "{sheet}: read {read}, accepted {accepted}, rejected {rejected}",
             "zh": "{sheet}：读取 {read} 行，采用 {accepted} 行，未采用 {rejected} 行"},
    # Only when rows were skipped (void, totals, copies): read = accepted + rejected + skipped.
    "rows_skipped": {"en": ", skipped {skipped}", "zh": "，跳过 {skipped} 行"},
    "totals": {"en": "{fatal} fatal, {error} error{es}, {warning} warning{ws}",
               "zh": "致命 {fatal} 个，错误 {error} 个，警告 {warning} 个"},
    "fatal": {"en": "nothing was read: fix the fatal problem above and run again",
              "zh": "未读取任何数据：请修正上面的致命问题后重试"},
    "ok": {"en": "OK: the workbooks can be used", "zh": "通过：工作簿可以使用"},
    "bad": {"en": "rows with errors are left out; fix them and run again",
            "zh": "有错误的行不会被采用；请修正后重试"},
}


def _t(key: str, lang: str, **kw: object) -> str:
    return TEXT[key].get(lang, TEXT[key]["en"]).format(**kw)


def print_validation(dataset: Dataset, lang: str, out: TextIO | None = None) -> bool:
    """Print every problem and the row accounting; True when the input is not usable
    (a fatal or error problem), which `validate` turns into exit code 1."""
    def echo(line: str) -> None:
        click.echo(line, file=out)

    counts = {FATAL: 0, ERROR: 0, WARNING: 0, INFO: 0}
    for p in dataset.problems:
        counts[p.severity] = counts.get(p.severity, 0) + 1
        echo(f"{p.location()}: {p.severity}: {p.message}")
    if dataset.problems:
        echo("")
    if counts[FATAL]:
        echo(_t("fatal", lang))
        return True
    for sheet in schema.SHEETS:
        c = dataset.rows.get(sheet.key)
        if c is None:
            continue
        echo(_t("rows", lang, sheet=sheet.title(lang), read=c.read, accepted=c.accepted, rejected=c.rejected)
             + (_t("rows_skipped", lang, skipped=c.skipped) if c.skipped else ""))
    echo(_t("totals", lang, fatal=counts[FATAL], error=counts[ERROR], warning=counts[WARNING],
            es="" if counts[ERROR] == 1 else "s", ws="" if counts[WARNING] == 1 else "s"))
    bad = counts[ERROR] > 0
    echo(_t("bad", lang) if bad else _t("ok", lang))
    return bad
