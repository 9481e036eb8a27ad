"""`kamreport init` (SPEC §7): write the sample workbook, or a blank template.

The sample is a property-management / facility-services company's key-account
portfolio: customers (developers, malls, parks, hospitals, schools, plants…),
24 months of sales (2024-10 … 2026-09, so the default period is 2026Q3),
activities, contacts, surveys, action plans, competitors, targets, staff and
settings. It is made in three steps, one module each:

1. `storylines` decides what happens to each customer (tier, trend, risks);
2. `dataset.sample_dataset()` draws the records of every sheet from them;
3. `cells.sheet_values()` turns the records into cell values, and this module
   writes them with openpyxl in write-only mode (fast enough for
   `--customers 700`, > 200,000 activity rows), with header notes, number
   formats and column widths.

The blank template has the same sheets and header notes, drop-down lists and
column formats, and a Columns sheet with commented-out mapping examples.
"""
from __future__ import annotations

import io
import os

from ..errors import KamError
from ..inputs import schema
from ..inputs.xlsx import col_letter
from ..model import Dataset
from ..atomic import write_atomic
from .cells import bool_labels, data_rows, readme_rows, readme_title, titles
from .dataset import HEADER_ROW, MAX_CUSTOMERS, sample_dataset

__all__ = ["SETTING_KEYS", "blank_workbook", "header_comment", "sample_workbook", "write_workbook"]

_NUMBER_FORMATS = {
    schema.DATE: "yyyy-mm-dd", schema.MONTH: "yyyy-mm", schema.MONEY: "#,##0.00",
    schema.MONEY_POS: "#,##0.00", schema.PERCENT: "0.0%", schema.NUMBER_POS: "0",
    schema.NUMBER_0_10: "0.0", schema.INT_1_5: "0", schema.INT_0_10: "0", schema.DAY: "mm-dd",
}
_WIDTHS = {schema.ID: 11, schema.TEXT: 18, schema.MARKDOWN: 48, schema.MONEY: 15, schema.MONEY_POS: 15,
           schema.PERCENT: 12, schema.DATE: 13, schema.MONTH: 11, schema.DAY: 12, schema.BOOL: 10,
           schema.ENUM: 16, schema.INT_1_5: 9, schema.INT_0_10: 9, schema.NUMBER_0_10: 9,
           schema.NUMBER_POS: 9}
_WIDE_TEXT = {"name": 30, "notes": 48, "summary": 48, "comment": 36, "objective": 30, "action": 34,
              "strengths": 28, "weaknesses": 28, "email": 30, "phone": 18, "industry": 20,
              "product": 24, "value": 40, "key": 18}

# What a cell of each type accepts, for the header comments (SPEC §1 Values).
_TYPE_HELP = {
    schema.ID: ("编号（文本）；数字 1001 读作 \"1001\"", "ID (text); a number 1001 reads as \"1001\""),
    schema.TEXT: ("文本", "Text"),
    schema.MARKDOWN: ("文本，支持 Markdown（**粗体**、列表）", "Text, Markdown allowed (**bold**, lists)"),
    schema.MONEY: ("金额：数字，或 1,234.5、¥1,234、1.2万、3亿；可为负数", "Money: a number or 1,234.5, ¥1,234, 1.2万, 3亿; may be negative"),
    schema.MONEY_POS: ("金额 ≥ 0：数字，或 1,234.5、¥1,234、1.2万", "Money ≥ 0: a number or 1,234.5, ¥1,234, 1.2万"),
    schema.NUMBER_POS: ("数字 ≥ 0", "Number ≥ 0"),
    schema.NUMBER_0_10: ("数字 0–10", "Number 0–10"),
    schema.PERCENT: ("百分比：0.08 或 8%（不带 % 的大于 1 的数字无效）", "Percent: 0.08 or 8% (a bare number > 1 is invalid)"),
    schema.INT_1_5: ("整数 1–5", "Whole number 1–5"),
    schema.INT_0_10: ("整数 0–10", "Whole number 0–10"),
    schema.DATE: ("日期：2026-07-15、2026/7/15、2026年7月15日", "Date: 2026-07-15, 2026/7/15, 2026年7月15日"),
    schema.MONTH: ("月份：2026-07、2026/7、2026年7月，或任一日期", "Month: 2026-07, 2026/7, 2026年7月 or any date in it"),
    schema.DAY: ("日期（年份可省略）：07-15、7/15、7月15日、1980-07-15", "Day, year optional: 07-15, 7/15, 7月15日, 1980-07-15"),
    schema.BOOL: ("是/否（也可 TRUE/FALSE、yes/no、1/0、√）；空白为否", "yes/no (also TRUE/FALSE, 是/否, 1/0, √); blank = no"),
    schema.ENUM: ("从下拉列表中选择", "Pick from the drop-down list"),
}

SETTING_KEYS = ("company", "report_title", "language", "currency", "abc_basis", "abc_a_cut", "abc_b_cut",
                "weight_value", "weight_potential", "weight_strategic", "attractive_high",
                "attractive_medium", "high_potential", "cadence_key", "cadence_ordinary",
                "cadence_prospect", "revenue_drop", "satisfaction_floor", "complaint_days",
                "contract_days", "concentration", "mail_to", "mail_subject", "brand_color", "logo",
                "date_order", "fx_USD")


def header_comment(col: schema.Column, sheet: schema.Sheet) -> str:
    """The note on a header cell: meaning and accepted values, in both languages."""
    zh_help, en_help = _TYPE_HELP[col.type]
    lines = [f"{col.zh} / {col.key}" + ("（必填 / required）" if col.required else "")]
    if col.help_zh or col.help_en:
        lines.append(f"{col.help_zh or col.zh}")
        lines.append(f"{col.help_en or col.key}")
    lines.append(zh_help)
    lines.append(en_help)
    if col.enum is not None:
        lines.append(" · ".join(f"{col.enum.label(k, 'zh')} = {col.enum.label(k, 'en')}" for k in col.enum.keys))
    if sheet is schema.SETTINGS and col.key == "key":
        lines.append(", ".join(SETTING_KEYS))
    return "\n".join(lines)


def _setup_columns(ws, sheet: schema.Sheet) -> None:
    for j, col in enumerate(sheet.columns, 1):
        letter = col_letter(j)
        ws.column_dimensions[letter].width = _WIDE_TEXT.get(col.key, _WIDTHS[col.type])


def _header_cells(ws, sheet: schema.Sheet, lang: str, fill_color: str = "1F4E79") -> list:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    cells = []
    for col in sheet.columns:
        c = WriteOnlyCell(ws, col.header(lang))
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor=fill_color)
        c.alignment = Alignment(vertical="center")
        note = Comment(header_comment(col, sheet), "kamreport")
        note.width, note.height = 320, 160
        c.comment = note
        cells.append(c)
    return cells


def _write_readme(ws, lang: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    ws.column_dimensions["A"].width = 90
    ws.column_dimensions["B"].width = 90
    (a, b), *rest = readme_rows(lang)
    ca, cb = WriteOnlyCell(ws, a), WriteOnlyCell(ws, b)
    ca.font = cb.font = Font(bold=True, size=14)
    ws.append([ca, cb])
    for row in rest:
        ws.append(row)


def _check_target(path: str, lang: str) -> str:
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    if not target.lower().endswith((".xlsx", ".xlsm")):
        raise KamError("init.not_xlsx", path=path).stamp(lang)
    if not os.path.isdir(folder):
        raise KamError("init.no_folder", path=path, folder=folder).stamp(lang)
    return target


def _atomic_save(wb, path: str, lang: str) -> None:
    """Save through kamreport.atomic (a temporary file beside the target,
    fsync, rename): a crash never leaves half a workbook."""
    target = _check_target(path, lang)
    buf = io.BytesIO()
    wb.save(buf)
    try:
        write_atomic(target, buf.getvalue())
    except OSError as e:
        raise KamError("init.cannot_write", path=path, reason=e.strerror or str(e)).stamp(lang) from e


def write_workbook(path: str, *, lang: str = "zh", blank: bool = False, customers: int = 150,
                   seed: int = 1) -> None:
    """Write the sample workbook (or, with blank=True, the empty template) to path."""
    if lang not in ("zh", "en"):
        raise KamError("init.lang", value=lang)
    _check_target(path, lang)   # fail before spending seconds on the data
    if not blank and not 1 <= customers <= MAX_CUSTOMERS:
        sample_dataset(lang, customers, seed)   # raises the KamError that explains the limit
    if blank:
        wb = blank_workbook(lang)
    else:
        wb = sample_workbook(sample_dataset(lang, customers, seed), lang)
    _atomic_save(wb, path, lang)


def sample_workbook(data: Dataset, lang: str):
    """The write-only openpyxl workbook of a sample dataset (saved by the caller)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    wb = Workbook(write_only=True)
    _write_readme(wb.create_sheet(readme_title(lang)), lang)
    for sheet in schema.SHEETS:
        ws = wb.create_sheet(sheet.title(lang))
        _setup_columns(ws, sheet)
        header_row = HEADER_ROW.get(sheet.key, 1)
        # Keep the id column in view while scrolling right on the wide sheets.
        ws.freeze_panes = f"{'B' if sheet.key in ('Customers', 'Sales', 'Activities') else 'A'}{header_row + 1}"
        above = titles(sheet, lang)
        for t in above:
            c = WriteOnlyCell(ws, t)
            c.font = Font(bold=True, size=13)
            ws.append([c])
        for _ in range(header_row - 1 - len(above)):
            ws.append([])
        ws.append(_header_cells(ws, sheet, lang))
        formats = [_NUMBER_FORMATS.get(c.type) for c in sheet.columns]
        big = sheet.key == "Activities"
        for values in data_rows(data, sheet, lang):
            if big or sheet is schema.SETTINGS:
                # Plain values stream fastest; dates get openpyxl's default
                # yyyy-mm-dd format anyway.
                ws.append(values)
                continue
            row = []
            for v, fmt in zip(values, formats):
                if fmt is not None and v is not None and not isinstance(v, str):
                    c = WriteOnlyCell(ws, v)
                    c.number_format = fmt
                    row.append(c)
                else:
                    row.append(v)
            ws.append(row)
    return wb


def blank_workbook(lang: str):
    """An empty template: every sheet, headers with notes, drop-downs, formats."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    if lang not in ("zh", "en"):
        raise KamError("init.lang", value=lang)
    wb = Workbook()
    readme = wb.active
    readme.title = readme_title(lang)
    for i, (a, b) in enumerate(readme_rows(lang), 1):
        readme.cell(i, 1, a)
        readme.cell(i, 2, b)
    readme["A1"].font = readme["B1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = readme.column_dimensions["B"].width = 90
    yes, no = bool_labels(lang)
    last = 5000   # validations cover rows 2..5000, plenty for a hand-kept sheet
    for sheet in schema.SHEETS:
        ws = wb.create_sheet(sheet.title(lang))
        ws.freeze_panes = "A2"
        for j, col in enumerate(sheet.columns, 1):
            letter = col_letter(j)
            c = ws.cell(1, j, col.header(lang))
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor="1F4E79")
            c.alignment = Alignment(vertical="center")
            note = Comment(header_comment(col, sheet), "kamreport")
            note.width, note.height = 320, 160
            c.comment = note
            dim = ws.column_dimensions[letter]
            dim.width = _WIDE_TEXT.get(col.key, _WIDTHS[col.type])
            fmt = _NUMBER_FORMATS.get(col.type)
            if fmt:
                dim.number_format = fmt   # column style: new cells in it get the format
            rng = f"{letter}2:{letter}{last}"
            dv = None
            if col.enum is not None:
                labels = ",".join(col.enum.label(k, lang) for k in col.enum.keys)
                dv = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=not col.required)
            elif col.type == schema.BOOL:
                dv = DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True)
            elif col.type in (schema.INT_1_5, schema.INT_0_10):
                hi = 5 if col.type == schema.INT_1_5 else 10
                lo = 1 if col.type == schema.INT_1_5 else 0
                dv = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                                    allow_blank=True)
            elif col.type == schema.NUMBER_0_10:
                dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="10",
                                    allow_blank=not col.required)
            if dv is not None:
                dv.error = f"{col.header(lang)}: " + _TYPE_HELP[col.type][0 if lang == "zh" else 1]
                dv.errorTitle = "kamreport"
                dv.showErrorMessage = True
                dv.add(rng)
                ws.add_data_validation(dv)
        if sheet is schema.SETTINGS:
            # The two settings every workbook states; the rest keep their defaults.
            ws.append(["language", lang])
            ws.append(["currency", "CNY"])
    _columns_sheet(wb, lang)
    return wb


# The Columns sheet of the blank template (SPEC §1.5): examples as comment
# rows (`#` before the sheet), so the template validates clean until one is used.
COLUMNS_EXAMPLES = (
    ("#Sheet1", "", "Sales", "", "", "", "把名为 Sheet1 的表按销售表读取 / read the sheet Sheet1 as Sales"),
    ("#", "销售收入（万元）", "revenue", "万元", "", "", "该列为销售额，单位万元 / this column is revenue in 万元"),
    ("#", "Amount", "revenue", "k", "", "", "Salesforce: Amount in thousands"),
    ("#", "区域代码", "ignore", "", "", "", "不读取此列 / do not read this column"),
    ("#", "跟进方式", "type", "", "微信", "call", "“微信”算作电话沟通 / WeChat counts as a call"),
    ("#", "关系状态", "relationship_stage", "", "一般", "developing", "“一般”即发展中 / 一般 means developing"),
)


def _columns_sheet(wb, lang: str) -> None:
    from openpyxl.styles import Font, PatternFill
    ws = wb.create_sheet("列映射" if lang == "zh" else "Columns")
    ws.append(["sheet", "column", "field", "unit", "value", "means",
               "说明（删除 # 后生效）" if lang == "zh" else "note (remove the # to use a row)"])
    for c in ws[1]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1F4E79")
    for row in COLUMNS_EXAMPLES:
        ws.append([v or None for v in row])
    for letter, width in zip("ABCDEFG", (12, 22, 20, 8, 10, 12, 60)):
        ws.column_dimensions[letter].width = width
