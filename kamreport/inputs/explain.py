"""Plain-text report of `kamreport validate` (SPEC §7).

One line per problem in a fixed, greppable form (as compilers print them):

    customers.xlsx:Sales!C17: error: revenue "abc" is not a number; …

then the row accounting of every sheet and the totals. The severity word
stays English in both languages so scripts can grep it; the message is in
the report language (its words: kamreport/texts/problems.py, `validate.` keys).
"""
from __future__ import annotations

from typing import TextIO

import click

from . import schema
from ..model import ERROR, FATAL, INFO, WARNING, Dataset
from ..texts import text

def _t(key: str, lang: str, **kw: object) -> str:
    return text("validate." + key, lang, **kw)


def explanation(dataset: Dataset, lang: str) -> list[str]:
    """How each sheet was understood (SPEC §1.5): kind, header row, layout,
    every column -> field with its unit, the rows skipped and why."""
    lines = []
    for info in dataset.sheets:
        spec = schema.find_sheet(info.kind)
        kind = spec.title(lang) if spec else info.kind
        layout = _t("wide", lang, months=_months(info.months)) if info.layout == "wide" else _t("long", lang)
        line = _t("sheet", lang, where=f"{info.file}:{info.sheet}", kind=kind, row=info.header_row, layout=layout)
        if info.match == "name":
            line += _t("by_name", lang)
        lines.append(line)
        for letter, header, field, unit in info.columns:
            col = spec.column(field) if spec and not field.startswith("(") else None
            name = (col.zh if lang == "zh" else col.key) if col else field
            lines.append(_t("column", lang, letter=letter, header=header, field=name,
                            unit=_t("unit", lang, unit=unit) if unit else ""))
        if info.skipped:
            sep = text("comma", lang)
            lines.append(_t("skipped", lang, why=sep.join(_t("why." + w, lang, n=n) for w, n in info.skipped)))
    return lines


def _months(months: tuple[str, ...]) -> str:
    if len(months) <= 4:
        return ", ".join(months)
    return f"{months[0]} … {months[-1]}, {len(months)}"


def as_json(dataset: Dataset) -> dict:
    """`validate --json`: the same facts for tools."""
    return {
        "sheets": [{"file": i.file, "sheet": i.sheet, "kind": i.kind, "header_row": i.header_row,
                    "layout": i.layout, "months": list(i.months), "match": i.match,
                    "columns": [{"column": c[0], "header": c[1], "field": c[2], "unit": c[3] or None}
                                for c in i.columns],
                    "skipped": dict(i.skipped)} for i in dataset.sheets],
        "rows": {k: {"read": v.read, "accepted": v.accepted, "rejected": v.rejected, "skipped": v.skipped}
                 for k, v in dataset.rows.items()},
        "problems": [{"severity": p.severity, "file": p.file, "sheet": p.sheet, "row": p.row, "column": p.column,
                      "header": p.header, "value": p.value, "message": p.message} for p in dataset.problems],
        "fatal": dataset.fatal,
    }


def print_validation(dataset: Dataset, lang: str, out: TextIO | None = None, explain: bool = True) -> bool:
    """Print every problem and the row accounting; True when the input is not usable
    (a fatal or error problem), which `validate` turns into exit code 1."""
    def echo(line: str) -> None:
        click.echo(line, file=out)

    if explain and not dataset.fatal:
        for line in explanation(dataset, lang):
            echo(line)
        if dataset.sheets:
            echo("")
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
