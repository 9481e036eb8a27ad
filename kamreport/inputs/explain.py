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
from ..model import ERROR, FATAL, INFO, WARNING, Dataset

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
    "sheet": {"en": "{where}: read as {kind}, header row {row}, {layout}",
              "zh": "{where}：按“{kind}”表读取，表头在第 {row} 行，{layout}"},
    "long": {"en": "a row per record", "zh": "每行一条记录"},
    "wide": {"en": "wide: a column per month ({months})", "zh": "宽表：每月一列（{months}）"},
    "by_name": {"en": "; customers matched by name", "zh": "；按客户名称匹配客户"},
    "column": {"en": "  {letter:>3} {header} → {field}{unit}", "zh": "  {letter:>3} {header} → {field}{unit}"},
    "unit": {"en": " (unit {unit})", "zh": "（单位 {unit}）"},
    "skipped": {"en": "  skipped: {why}", "zh": "  跳过：{why}"},
    "why.void": {"en": "{n} void", "zh": "作废 {n} 行"},
    "why.stage": {"en": "{n} not won", "zh": "未成交 {n} 行"},
    "why.totals": {"en": "{n} totals/subtotals", "zh": "合计/小计 {n} 行"},
    "why.footers": {"en": "{n} footer lines", "zh": "表尾 {n} 行"},
    "why.copies": {"en": "{n} copies of another file's rows", "zh": "与其他文件重复 {n} 行"},
    "bad": {"en": "rows with errors are left out; fix them and run again",
            "zh": "有错误的行不会被采用；请修正后重试"},
}


def _t(key: str, lang: str, **kw: object) -> str:
    return TEXT[key].get(lang, TEXT[key]["en"]).format(**kw)


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
            sep = "，" if lang == "zh" else ", "
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
