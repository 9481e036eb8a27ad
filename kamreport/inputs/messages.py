"""Problem messages of the reader, in Chinese and English.

The reader records a problem as a code and parameters, and words it here
only at the end, once the report language is known (it comes from the
Customers headers, which may be read after the first problem was found).
Every message says what was wrong and what would be accepted.
"""
from __future__ import annotations

from typing import Any

# Fatal: the file or its structure.
# Row and value problems: {header} is the column header as written, {value}
# the offending cell as text.
MESSAGES: dict[str, dict[str, str]] = {
    # -- the file (fatal) ------------------------------------------------------
    "missing": {
        "en": "file not found",
        "zh": "找不到文件",
    },
    "not_a_file": {
        "en": "not a file (a folder?); give the path of an .xlsx workbook",
        "zh": "不是文件（是文件夹？）；请给出 .xlsx 工作簿的路径",
    },
    "unreadable": {
        "en": "cannot read the file: {detail}",
        "zh": "无法读取文件：{detail}",
    },
    "empty": {
        "en": "the file is empty (0 bytes); save the workbook again as .xlsx",
        "zh": "文件为空（0 字节）；请重新另存为 .xlsx",
    },
    "ole": {
        "en": "not a valid workbook: this is an old .xls file or a password-protected workbook; "
              "remove the password and save it as .xlsx (Excel Workbook)",
        "zh": "不是有效的工作簿：这是旧版 .xls 文件或设置了密码的工作簿；请取消密码并另存为 .xlsx（Excel 工作簿）",
    },
    "not_zip": {
        "en": "not a valid workbook: this looks like a text or CSV file; open it in Excel and save it as .xlsx",
        "zh": "不是有效的工作簿：看起来是文本或 CSV 文件；请用 Excel 打开后另存为 .xlsx",
    },
    "corrupt": {
        "en": "not a valid workbook: the file is damaged or truncated ({detail}); save it again from Excel as .xlsx",
        "zh": "不是有效的工作簿：文件已损坏或不完整（{detail}）；请在 Excel 中重新另存为 .xlsx",
    },
    "encrypted": {
        "en": "not a valid workbook: the file is encrypted; remove the password and save it as .xlsx",
        "zh": "不是有效的工作簿：文件已加密；请取消密码后另存为 .xlsx",
    },
    "too_large": {
        "en": "refused: part {part} of the workbook inflates to more than {limit_mb} MB, implausibly large for a workbook",
        "zh": "拒绝读取：工作簿中的 {part} 解压后超过 {limit_mb} MB，对工作簿而言大得不合理",
    },
    "zip_bomb": {
        "en": "refused: part {part} is compressed {ratio}:1, which only a zip bomb does; save the workbook again from Excel",
        "zh": "拒绝读取：{part} 的压缩比为 {ratio}:1，这是压缩炸弹的特征；请在 Excel 中重新保存工作簿",
    },
    "dtd": {
        "en": "not a valid workbook: part {part} declares a DOCTYPE/ENTITY, which Excel never writes (XML attack?)",
        "zh": "不是有效的工作簿：{part} 含有 DOCTYPE/ENTITY 声明，Excel 从不写入这些内容（XML 攻击？）",
    },
    "not_xlsx": {
        "en": "not a valid workbook: a zip file without the parts of an .xlsx; save it from Excel as .xlsx",
        "zh": "不是有效的工作簿：是 zip 文件，但没有 .xlsx 的组成部分；请在 Excel 中另存为 .xlsx",
    },
    "xlsb": {
        "en": "not a supported workbook: binary .xlsb; save it from Excel as .xlsx",
        "zh": "不支持的工作簿：二进制 .xlsb 格式；请在 Excel 中另存为 .xlsx",
    },
    "no_sheets": {
        "en": "not a valid workbook: it has no worksheets",
        "zh": "不是有效的工作簿：没有工作表",
    },
    # -- structure (fatal) -----------------------------------------------------
    "ambiguous_sheet": {
        "en": "sheet \"{name}\" could be {kinds}: its name and headers fit both; say which in a Columns "
              "sheet (sheet \"{name}\", field Customers / Sales / …) or rename the sheet",
        "zh": "工作表“{name}”可能是 {kinds}：名称和表头两者都符合；请在“列映射”表中指定"
              "（sheet 填“{name}”，field 填表的类型），或重命名该工作表",
    },
    "sheet_by_headers": {
        "en": "sheet \"{name}\" is read as {kind} ({kind_zh}): its headers are those of a {kind} sheet",
        "zh": "工作表“{name}”按表头识别为“{kind_zh}”表（{kind}）",
    },
    "csv_encoding": {
        "en": "the CSV file is neither UTF-8 nor GB18030/GBK text; save it again as \"CSV UTF-8\"",
        "zh": "该 CSV 文件既不是 UTF-8 也不是 GB18030/GBK 编码；请重新另存为“CSV UTF-8”",
    },
    "missing_sheet": {
        "en": "no {name} sheet in any workbook; add a sheet named {name} (or {name_zh})",
        "zh": "所有工作簿中都没有“{name_zh}”工作表；请添加名为“{name_zh}”（或 {name}）的工作表",
    },
    "missing_columns": {
        "en": "no header row with the required column(s) {columns} in the first {rows} rows{closest}",
        "zh": "前 {rows} 行中没有包含必填列 {columns} 的表头行{closest}",
    },
    "headers_found": {
        "en": "; headers found: {headers}",
        "zh": "；找到的表头：{headers}",
    },
    "did_you_mean_column": {
        "en": "; did you mean {name}{header}?",
        "zh": "；是否是“{name}”{header}？",
    },
    "closest": {
        "en": " (row {row} has {found} but not {missing})",
        "zh": "（第 {row} 行有 {found}，但缺少 {missing}）",
    },
    # -- sheets and columns (warning / info) -----------------------------------
    "unknown_column": {
        "en": "column \"{header}\" is not a {table} column and is ignored; known columns: {known[en]}",
        "zh": "列“{header}”不是“{table}”表的列，已忽略；可用的列：{known[zh]}",
    },
    "unknown_columns": {
        "en": "columns not read (not {table} columns): {names}; known columns: {known[en]}",
        "zh": "以下列未读取（不是“{table}”表的列）：{names}；可用的列：{known[zh]}",
    },
    "prior_columns": {
        "en": "last-year / prior columns are not this period's figures and are ignored: {names}",
        "zh": "去年/上年同期的列不是本期数据，已忽略：{names}",
    },
    "duplicate_column": {
        "en": "columns {first} \"{first_header}\" and this one (\"{header}\") both fit one field and nothing "
              "tells them apart; rename one (e.g. add 目标/target or 实际/actual) or map them in a Columns sheet",
        "zh": "{first} 列“{first_header}”与本列“{header}”对应同一字段，无法区分；请重命名其中一列"
              "（例如加上“目标”或“实际”），或在“列映射”表中指定",
    },
    "unit_applied": {
        "en": "unit \"{unit}\" in the header is applied: {meaning[en]}",
        "zh": "已应用表头中的单位“{unit}”：{meaning[zh]}",
    },
    "format_unit": {
        "en": "cells formatted to show \"{unit}\" are read with that unit: {meaning[en]}",
        "zh": "显示为“{unit}”格式的单元格按该单位读取：{meaning[zh]}",
    },
    "unit_unreadable": {
        "en": "the unit \"{unit}\" in header \"{header}\" cannot be read; write one of 元, 万元, 千元, 百万元, "
              "亿元, (k), (in thousands), (m), (millions), a currency such as (USD), 小时/(hours), 5分制/(out of 5), "
              "百分制/(out of 100) — or give the unit in a Columns sheet",
        "zh": "无法识别表头“{header}”中的单位“{unit}”；请写作 元、万元、千元、百万元、亿元、(k)、(in thousands)、"
              "(m)、(millions)、币种如（美元）、小时、5分制、百分制，或在“列映射”表中指定单位",
    },
    "unit_misplaced": {
        "en": "the unit \"{unit}\" in header \"{header}\" does not fit column {column}; remove it or correct it",
        "zh": "表头“{header}”中的单位“{unit}”不适用于 {column} 列；请删除或更正",
    },
    "hidden_sheet": {
        "en": "sheet \"{name}\" is hidden and is not read; unhide it if it holds data to report",
        "zh": "工作表“{name}”已隐藏，未读取；如需使用其中数据，请取消隐藏",
    },
    "hidden_rows": {
        "en": "{count} hidden row(s) are read, as Excel's SUM reads them: rows {rows}; delete them if they are not data",
        "zh": "读取了 {count} 个隐藏行（与 Excel 的 SUM 一致）：第 {rows} 行；如不是数据请删除",
    },
    "skipped_void": {
        "en": "{count} void row(s) skipped (status says void/cancelled/deleted): rows {rows}",
        "zh": "跳过 {count} 个作废行（状态为作废/取消/删除）：第 {rows} 行",
    },
    "skipped_stage": {
        "en": "{count} row(s) skipped: their deal stage is not won (open pipeline is not revenue)",
        "zh": "跳过 {count} 行：商机阶段不是赢单/已成交（未成交的商机不计入销售额）",
    },
    "skipped_totals": {
        "en": "{count} totals / subtotal row(s) skipped (合计, 小计, Total …): rows {rows}",
        "zh": "跳过 {count} 个合计/小计行：第 {rows} 行",
    },
    "skipped_footers": {
        "en": "{count} footer line(s) skipped (制表人, 审核, Prepared by …): rows {rows}",
        "zh": "跳过 {count} 个表尾行（制表人、审核等）：第 {rows} 行",
    },
    "pivot_filled": {
        "en": "{count} row(s) pasted from a pivot table take the customer of their group (the id above them)",
        "zh": "{count} 个从数据透视表粘贴的行沿用所在分组的客户（上方的编号）",
    },
    "wide_layout": {
        "en": "wide layout: {count} month columns ({months}; blocks: {blocks}); each filled cell is one Sales row",
        "zh": "宽表格式：{count} 个月份列（{months}；数据块：{blocks}）；每个非空单元格为一条销售记录",
    },
    "wide_ignored": {
        "en": "month columns of blocks that are not revenue, gross profit or target are not read: {names}",
        "zh": "不是销售额、毛利或目标的月份列未读取：{names}",
    },
    "wide_totals": {
        "en": "totals columns are not months and are ignored: {names}",
        "zh": "合计列不是月份，已忽略：{names}",
    },
    "flat_export": {
        "en": "no Customers sheet: this sheet is read as both Customers and Sales ({count} customers, each from its first row)",
        "zh": "没有“客户”表：此表同时作为“客户”表和“销售”表读取（{count} 个客户，各取其首行）",
    },
    "flat_differs": {
        "en": "customer {customer}: {field} \"{value}\" differs from its first row (\"{first}\"); the first is used",
        "zh": "客户 {customer}：{field}“{value}”与其首行（“{first}”）不同；使用首行的值",
    },
    "mapped_ignore": {
        "en": "column \"{header}\" is not read (Columns mapping: ignore)",
        "zh": "列“{header}”按“列映射”忽略，未读取",
    },
    "mapping_field": {
        "en": "the Columns mapping maps \"{header}\" to \"{field}\", which is not a {table} column ({known}); "
              "the column is not read",
        "zh": "“列映射”把“{header}”对应到“{field}”，但它不是“{table}”表的列（{known}）；该列未读取",
    },
    "mapping_means": {
        "en": "the Columns mapping says a value means \"{value}\", which is not one of {options}",
        "zh": "“列映射”中的含义“{value}”不是可选值之一：{options}",
    },
    "mapping_unused": {
        "en": "this Columns entry ({value}) matches no sheet, column or value read",
        "zh": "此“列映射”条目（{value}）没有匹配任何读取的表、列或值",
    },
    "mapping_conflict": {
        "en": "the --map entry for \"{value}\" differs from {first}; the --map entry is used",
        "zh": "--map 中“{value}”的条目与 {first} 不同；使用 --map 的条目",
    },
    "lock_file": {
        "en": "this is Excel's lock file for the open workbook {name}, not a workbook; skipped",
        "zh": "这是 Excel 为已打开的工作簿 {name} 创建的锁定文件，不是工作簿；已跳过",
    },
    "same_file": {
        "en": "the same file as {first} (same content); read once",
        "zh": "与 {first} 是同一个文件（内容相同）；只读取一次",
    },
    "copied_rows": {
        "en": "{count} Sales row(s) are identical in every column to rows of {first} (overlapping exports); "
              "counted once",
        "zh": "{count} 个销售行与 {first} 中的行完全相同（导出范围重叠）；只计一次",
    },
    "no_gross_profit_values": {
        "en": "the gross_profit column \"{header}\" holds no value in any row; ABC classes fall back to revenue",
        "zh": "毛利列“{header}”没有任何数值；ABC 分类改按销售额计算",
    },
    "no_gross_profit": {
        "en": "no gross_profit (毛利) column in any Sales sheet; ABC classes fall back to revenue",
        "zh": "所有销售表都没有“毛利”（gross_profit）列；ABC 分类改按销售额计算",
    },
    "unknown_sheet": {
        "en": "sheet \"{name}\" is not one kamreport reads and is ignored",
        "zh": "工作表“{name}”不是 kamreport 读取的表，已忽略",
    },
    "sheet_truncated": {
        "en": "this sheet has a value as far as {far_cell}; only columns A–{last} were read, cells further right are ignored",
        "zh": "此工作表在远至 {far_cell} 的位置有内容；只读取了 A–{last} 列，更右边的单元格已忽略",
    },
    "header_merged_data": {
        "en": "merged cell {range} reaches from the header into the data and is not copied down",
        "zh": "合并单元格 {range} 从表头延伸到数据区，未向下填充",
    },
    # -- values ----------------------------------------------------------------
    "required_missing": {
        "en": "{header} is required but blank",
        "zh": "{header} 为必填项，但为空",
    },
    "not_id": {
        "en": "{header} \"{value}\" is not an ID; write the ID as text or a whole number",
        "zh": "{header}“{value}”不是有效的编号；请填写文本或整数编号",
    },
    "not_number": {
        "en": "{header} \"{value}\" is not a number; write e.g. 1234.5, 1,234.5, ¥1,234, -300, (300), 1.2万, 3亿 or 12.5K",
        "zh": "{header}“{value}”不是数字；可写作 1234.5、1,234.5、¥1,234、-300、(300)、1.2万、3亿 或 12.5K",
    },
    "negative": {
        "en": "{header} \"{value}\" is negative; it must be 0 or more",
        "zh": "{header}“{value}”为负数；必须大于或等于 0",
    },
    "out_of_range": {
        "en": "{header} \"{value}\" is out of range; it must be between {lo} and {hi}",
        "zh": "{header}“{value}”超出范围；必须在 {lo} 到 {hi} 之间",
    },
    "not_int": {
        "en": "{header} \"{value}\" is not a whole number from {lo} to {hi}",
        "zh": "{header}“{value}”不是 {lo} 到 {hi} 之间的整数",
    },
    "not_percent": {
        "en": "{header} \"{value}\" is not a percentage; write 8% or 0.08",
        "zh": "{header}“{value}”不是百分比；请写作 8% 或 0.08",
    },
    "percent_bare": {
        "en": "{header} \"{value}\" is ambiguous: a bare number above 1; write 8% (with %) or 0.08",
        "zh": "{header}“{value}”含义不明：不带 % 的数字大于 1；请写作 8%（带 %）或 0.08",
    },
    "not_period": {
        "en": "{header} \"{value}\" is not a period; write a month 2026-07, a quarter 2026Q3 or a year 2026",
        "zh": "{header}“{value}”不是期间；请写作月份 2026-07、季度 2026Q3 / 2026年第三季度 或年份 2026",
    },
    "fx_missing": {
        "en": "{header} \"{value}\" is in {currency}; add the setting {setting} (report currency per 1 {currency}, "
              "e.g. {setting} 7.1) to the Settings sheet",
        "zh": "{header}“{value}”的币种是 {currency}；请在“设置”表中添加 {setting}（1 {currency} 折合报告币种的汇率，"
              "例如 {setting} 7.1）",
    },
    "too_large_value": {
        "en": "{header} \"{value}\" is implausibly large (10^15 or more); check the cell",
        "zh": "{header}“{value}”大得不合理（不小于 10^15）；请检查该单元格",
    },
    "year_only": {
        "en": "{header} \"{value}\" is a year alone, not a date; write the date, e.g. 2019-03-01 or 2019年3月",
        "zh": "{header}“{value}”只有年份，不是日期；请写完整日期，例如 2019-03-01 或 2019年3月",
    },
    "year_last": {
        "en": "{header} \"{value}\" puts the year last, so day and month could be either way; write 2026-07-15, "
              "or add the setting date_order dmy (day/month/year) or mdy (month/day/year)",
        "zh": "{header}“{value}”年份在后，日和月的顺序不明；请写作 2026-07-15，"
              "或在“设置”表中添加 date_order 为 dmy（日/月/年）或 mdy（月/日/年）",
    },
    "not_plausible": {
        "en": "{header} \"{value}\" is not a plausible date (before {first} or after {last}); check the cell",
        "zh": "{header}“{value}”不是合理的日期（早于 {first} 或晚于 {last}）；请检查该单元格",
    },
    "month_ambiguous": {
        "en": "{header} \"{value}\" could be {year}-01 or {year}-10 (Excel stores 2025.10 as 2025.1); "
              "write the month as text 2025-10 or a date",
        "zh": "{header}“{value}”可能是 {year}年1月 或 {year}年10月（Excel 会把 2025.10 存为 2025.1）；"
              "请写作文本 2025-10 或日期",
    },
    "month_needs_year": {
        "en": "{header} \"{value}\" is a month number without a year; add a year column (年份 / year) "
              "or write 2026-07",
        "zh": "{header}“{value}”只有月份没有年份；请添加“年份”列，或写作 2026-07",
    },
    "not_date": {
        "en": "{header} \"{value}\" is not a date; write 2026-07-15, 2026/7/15, 2026.7.15, 2026年7月15日, 20260715 "
              "or use a date cell",
        "zh": "{header}“{value}”不是日期；请写作 2026-07-15、2026/7/15、2026.7.15、2026年7月15日、20260715 或使用日期单元格",
    },
    "not_month": {
        "en": "{header} \"{value}\" is not a month; write 2026-07, 2026/7, 2026年7月, 202607, Jul 2026 or a date",
        "zh": "{header}“{value}”不是月份；请写作 2026-07、2026/7、2026年7月、202607 或日期",
    },
    "not_day": {
        "en": "{header} \"{value}\" is not a day; write 07-15, 7/15, 7月15日 or a full date",
        "zh": "{header}“{value}”不是日期；请写作 07-15、7/15、7月15日 或完整日期",
    },
    "not_bool": {
        "en": "{header} \"{value}\" is not yes/no; write TRUE, yes, y, 1, 是, √ or FALSE, no, n, 0, 否, or leave it blank",
        "zh": "{header}“{value}”不是“是/否”；请填写 是、有、√、TRUE、yes、1 或 否、无、FALSE、no、0，或留空",
    },
    "not_enum": {
        "en": "{header} \"{value}\" is not one of: {options}",
        "zh": "{header}“{value}”不是可选值之一：{options}",
    },
    "cell_error": {
        "en": "{header} holds the Excel error {error}; fix the formula or type the value",
        "zh": "{header} 是 Excel 错误值 {error}；请修正公式或直接填写数值",
    },
    "formula_no_value": {
        "en": "{header} is a formula ({value}) without a calculated value; open the file in Excel, "
              "let it calculate and save it",
        "zh": "{header} 是公式（{value}），但没有计算结果；请用 Excel 打开、重新计算并保存",
    },
    # -- rows ------------------------------------------------------------------
    "bad_email": {
        "en": "{header} \"{value}\" is not an email address (name@example.com); a pack is never mailed to a guess",
        "zh": "{header}“{value}”不是电子邮件地址（例如 name@example.com）；资料包不会发往猜测的地址",
    },
    "duplicate_staff": {
        "en": "{header} \"{value}\" already appears at {first}; the first row is kept",
        "zh": "{header}“{value}”已在 {first} 出现；保留第一行",
    },
    "duplicate_id": {
        "en": "customer_id \"{value}\" already appears at {first}; the first row is kept",
        "zh": "客户编号“{value}”已在 {first} 出现；保留第一行",
    },
    "unknown_customer": {
        "en": "customer_id \"{value}\" is not in the Customers sheet{did_you_mean}",
        "zh": "客户编号“{value}”不在“客户”表中{did_you_mean}",
    },
    "unknown_customer_name": {
        "en": "customer \"{value}\" is not a name in the Customers sheet{did_you_mean}",
        "zh": "客户“{value}”不是“客户”表中的客户名称{did_you_mean}",
    },
    "customer_ambiguous": {
        "en": "customer \"{value}\" fits more than one customer ({ids}); write the exact customer_id",
        "zh": "客户“{value}”对应多个客户（{ids}）；请填写准确的客户编号",
    },
    "customer_loose": {
        "en": "{count} customer id(s) matched a customer written differently ({examples}); "
              "write them as in the Customers sheet",
        "zh": "{count} 个客户编号与“客户”表中写法不同的编号匹配（{examples}）；请按“客户”表的写法填写",
    },
    "id_header_misspelt": {
        "en": "no customer_id column, but \"{header}\" looks like a misspelt one: rename it customer_id "
              "(or 客户编号), or map it in a Columns sheet — customers are not matched by name when an id column is meant",
        "zh": "没有客户编号列，但“{header}”像是写错的客户编号列：请改为“客户编号”（或 customer_id），"
              "或在“列映射”表中映射",
    },
    "months_without_year": {
        "en": "month columns {months} have no year: put the year above them (a merged 2026 cell), "
              "in each header (2026-07) or in the sheet's title",
        "zh": "月份列 {months} 没有年份：请在其上方加年份（合并单元格“2026年”）、写成“2026年7月”，或写在表标题中",
    },
    "gp_without_revenue": {
        "en": "gross profit for {month} without a revenue for that month: no Sales row is made of it",
        "zh": "{month} 有毛利但没有当月销售额：不作为销售记录",
    },
    "name_as_id": {
        "en": "no customer_id column: each customer's name is its id",
        "zh": "没有客户编号列：以客户名称作为编号",
    },
    "match_by_name": {
        "en": "no customer_id column: rows are matched to customers by the name in \"{header}\"",
        "zh": "没有客户编号列：按“{header}”中的客户名称匹配客户",
    },
    "log_rows": {
        "en": "no type column: this log's rows are of type {kind}",
        "zh": "没有类型列：此记录表的各行按“{kind}”处理",
    },
    "settings_no_key": {
        "en": "setting value \"{value}\" has no key",
        "zh": "设置值“{value}”没有对应的键",
    },
}

EFFECT = {
    "rejected": {"en": " (row rejected)", "zh": "（该行未采用）"},
    "blank": {"en": " (left blank)", "zh": "（该字段按空白处理）"},
    "cell_left_out": {"en": " (this cell left out)", "zh": "（该单元格未采用）"},
}

SEVERITY_ZH = {"fatal": "致命", "error": "错误", "warning": "警告", "info": "提示"}


def message(code: str, lang: str, **params: Any) -> str:
    """The message for `code` in `lang` (zh | en), with its parameters filled in."""
    texts = MESSAGES[code]
    text = texts.get(lang) or texts["en"]
    if "limit" in params and "limit_mb" not in params:
        params["limit_mb"] = int(params["limit"]) // (1 << 20)
    if "{did_you_mean}" in text:
        hint = params.get("hint") or ""
        params["did_you_mean"] = (f"; did you mean {hint}?" if lang != "zh" else f"；是否是 {hint}？") if hint else ""
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        # A missing parameter must not hide the problem itself.
        return text


def effect(kind: str, lang: str) -> str:
    """The suffix that says what happened to the row: rejected or left blank."""
    return EFFECT[kind].get(lang) or EFFECT[kind]["en"]
