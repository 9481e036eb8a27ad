"""What `kamreport read` and `validate` print: the reader's problem messages
and the validate report's lines, in Chinese and English.

The reader records a problem as a code and parameters (`problem.<code>`)
and words it only at the end, once the report language is known (it comes
from the Customers headers, which may be read after the first problem was
found): inputs/messages.py. Every message says what was wrong and what
would be accepted. {header} is the column header as written, {value} the
offending cell as text. `validate.` keys are inputs/explain.py's lines;
the severity words of `file:Sheet!C17: error: …` stay English in both
languages so scripts can grep them, and are not here.
"""
from __future__ import annotations

PROBLEMS: dict[str, tuple[str, str]] = {
    "problem.missing": ("找不到文件", "file not found"),
    "problem.not_a_file": (
        "不是文件（是文件夹？）；请给出 .xlsx 工作簿的路径",
        "not a file (a folder?); give the path of an .xlsx workbook"),
    "problem.unreadable": ("无法读取文件：{detail}", "cannot read the file: {detail}"),
    "problem.empty": ("文件为空（0 字节）；请重新另存为 .xlsx", "the file is empty (0 bytes); save the workbook again as .xlsx"),
    "problem.ole": (
        "不是有效的工作簿：这是旧版 .xls 文件或设置了密码的工作簿；请取消密码并另存为 .xlsx（Excel 工作簿）",
        "not a valid workbook: this is an old .xls file or a password-protected workbook; remove the password "
        "and save it as .xlsx (Excel Workbook)"),
    "problem.not_zip": (
        "不是有效的工作簿：看起来是文本或 CSV 文件；请用 Excel 打开后另存为 .xlsx",
        "not a valid workbook: this looks like a text or CSV file; open it in Excel and save it as .xlsx"),
    "problem.corrupt": (
        "不是有效的工作簿：文件已损坏或不完整（{detail}）；请在 Excel 中重新另存为 .xlsx",
        "not a valid workbook: the file is damaged or truncated ({detail}); save it again from Excel as .xlsx"),
    "problem.encrypted": (
        "不是有效的工作簿：文件已加密；请取消密码后另存为 .xlsx",
        "not a valid workbook: the file is encrypted; remove the password and save it as .xlsx"),
    "problem.too_large": (
        "拒绝读取：工作簿中的 {part} 解压后超过 {limit_mb} MB，对工作簿而言大得不合理",
        "refused: part {part} of the workbook inflates to more than {limit_mb} MB, implausibly large for a "
        "workbook"),
    "problem.zip_bomb": (
        "拒绝读取：{part} 的压缩比为 {ratio}:1，这是压缩炸弹的特征；请在 Excel 中重新保存工作簿",
        "refused: part {part} is compressed {ratio}:1, which only a zip bomb does; save the workbook again from "
        "Excel"),
    "problem.dtd": (
        "不是有效的工作簿：{part} 含有 DOCTYPE/ENTITY 声明，Excel 从不写入这些内容（XML 攻击？）",
        "not a valid workbook: part {part} declares a DOCTYPE/ENTITY, which Excel never writes (XML attack?)"),
    "problem.not_xlsx": (
        "不是有效的工作簿：是 zip 文件，但没有 .xlsx 的组成部分；请在 Excel 中另存为 .xlsx",
        "not a valid workbook: a zip file without the parts of an .xlsx; save it from Excel as .xlsx"),
    "problem.xlsb": (
        "不支持的工作簿：二进制 .xlsb 格式；请在 Excel 中另存为 .xlsx",
        "not a supported workbook: binary .xlsb; save it from Excel as .xlsx"),
    "problem.no_sheets": ("不是有效的工作簿：没有工作表", "not a valid workbook: it has no worksheets"),
    "problem.ambiguous_sheet": (
        "工作表“{name}”可能是 {kinds}：名称和表头两者都符合；请在“列映射”表中指定（sheet 填“{name}”，field 填表的类型），或重命名该工作表",
        "sheet \"{name}\" could be {kinds}: its name and headers fit both; say which in a Columns sheet (sheet "
        "\"{name}\", field Customers / Sales / …) or rename the sheet"),
    "problem.sheet_by_headers": (
        "工作表“{name}”按表头识别为“{kind_zh}”表（{kind}）",
        "sheet \"{name}\" is read as {kind} ({kind_zh}): its headers are those of a {kind} sheet"),
    "problem.csv_encoding": (
        "该 CSV 文件既不是 UTF-8 也不是 GB18030/GBK 编码；请重新另存为“CSV UTF-8”",
        "the CSV file is neither UTF-8 nor GB18030/GBK text; save it again as \"CSV UTF-8\""),
    "problem.missing_sheet": (
        "所有工作簿中都没有“{name_zh}”工作表；请添加名为“{name_zh}”（或 {name}）的工作表",
        "no {name} sheet in any workbook; add a sheet named {name} (or {name_zh})"),
    "problem.missing_columns": (
        "前 {rows} 行中没有包含必填列 {columns} 的表头行{closest}",
        "no header row with the required column(s) {columns} in the first {rows} rows{closest}"),
    "problem.headers_found": ("；找到的表头：{headers}", "; headers found: {headers}"),
    "problem.did_you_mean_column": ("；是否是“{name}”{header}？", "; did you mean {name}{header}?"),
    "problem.closest": ("（第 {row} 行有 {found}，但缺少 {missing}）", " (row {row} has {found} but not {missing})"),
    "problem.unknown_column": (
        "列“{header}”不是“{table}”表的列，已忽略；可用的列：{known[zh]}",
        "column \"{header}\" is not a {table} column and is ignored; known columns: {known[en]}"),
    "problem.unknown_columns": (
        "以下列未读取（不是“{table}”表的列）：{names}；可用的列：{known[zh]}",
        "columns not read (not {table} columns): {names}; known columns: {known[en]}"),
    "problem.prior_columns": (
        "去年/上年同期的列不是本期数据，已忽略：{names}",
        "last-year / prior columns are not this period's figures and are ignored: {names}"),
    "problem.duplicate_column": (
        "{first} 列“{first_header}”与本列“{header}”对应同一字段，无法区分；请重命名其中一列（例如加上“目标”或“实际”），或在“列映射”表中指定",
        "columns {first} \"{first_header}\" and this one (\"{header}\") both fit one field and nothing tells them "
        "apart; rename one (e.g. add 目标/target or 实际/actual) or map them in a Columns sheet"),
    "problem.unit_applied": (
        "已应用表头中的单位“{unit}”：{meaning[zh]}",
        "unit \"{unit}\" in the header is applied: {meaning[en]}"),
    "problem.format_unit": (
        "显示为“{unit}”格式的单元格按该单位读取：{meaning[zh]}",
        "cells formatted to show \"{unit}\" are read with that unit: {meaning[en]}"),
    "problem.unit_unreadable": (
        "无法识别表头“{header}”中的单位“{unit}”；请写作 元、万元、千元、百万元、亿元、(k)、(in thousands)、(m)、(millions)、币种如（美元）、小时、5分制、百分制，"
        "或在“列映射”表中指定单位",
        "the unit \"{unit}\" in header \"{header}\" cannot be read; write one of 元, 万元, 千元, 百万元, 亿元, (k), (in "
        "thousands), (m), (millions), a currency such as (USD), 小时/(hours), 5分制/(out of 5), 百分制/(out of 100) — "
        "or give the unit in a Columns sheet"),
    "problem.unit_misplaced": (
        "表头“{header}”中的单位“{unit}”不适用于 {column} 列；请删除或更正",
        "the unit \"{unit}\" in header \"{header}\" does not fit column {column}; remove it or correct it"),
    "problem.hidden_sheet": (
        "工作表“{name}”已隐藏，未读取；如需使用其中数据，请取消隐藏",
        "sheet \"{name}\" is hidden and is not read; unhide it if it holds data to report"),
    "problem.hidden_rows": (
        "读取了 {count} 个隐藏行（与 Excel 的 SUM 一致）：第 {rows} 行；如不是数据请删除",
        "{count} hidden row(s) are read, as Excel's SUM reads them: rows {rows}; delete them if they are not "
        "data"),
    "problem.skipped_void": (
        "跳过 {count} 个作废行（状态为作废/取消/删除）：第 {rows} 行",
        "{count} void row(s) skipped (status says void/cancelled/deleted): rows {rows}"),
    "problem.skipped_stage": (
        "跳过 {count} 行：商机阶段不是赢单/已成交（未成交的商机不计入销售额）",
        "{count} row(s) skipped: their deal stage is not won (open pipeline is not revenue)"),
    "problem.skipped_totals": (
        "跳过 {count} 个合计/小计行：第 {rows} 行",
        "{count} totals / subtotal row(s) skipped (合计, 小计, Total …): rows {rows}"),
    "problem.skipped_footers": (
        "跳过 {count} 个表尾行（制表人、审核等）：第 {rows} 行",
        "{count} footer line(s) skipped (制表人, 审核, Prepared by …): rows {rows}"),
    "problem.pivot_filled": (
        "{count} 个从数据透视表粘贴的行沿用所在分组的客户（上方的编号）",
        "{count} row(s) pasted from a pivot table take the customer of their group (the id above them)"),
    "problem.wide_layout": (
        "宽表格式：{count} 个月份列（{months}；数据块：{blocks}）；每个非空单元格为一条销售记录",
        "wide layout: {count} month columns ({months}; blocks: {blocks}); each filled cell is one Sales row"),
    "problem.wide_ignored": (
        "不是销售额、毛利或目标的月份列未读取：{names}",
        "month columns of blocks that are not revenue, gross profit or target are not read: {names}"),
    "problem.wide_totals": ("合计列不是月份，已忽略：{names}", "totals columns are not months and are ignored: {names}"),
    "problem.flat_export": (
        "没有“客户”表：此表同时作为“客户”表和“销售”表读取（{count} 个客户，各取其首行）",
        "no Customers sheet: this sheet is read as both Customers and Sales ({count} customers, each from its "
        "first row)"),
    "problem.flat_differs": (
        "客户 {customer}：{field}“{value}”与其首行（“{first}”）不同；使用首行的值",
        "customer {customer}: {field} \"{value}\" differs from its first row (\"{first}\"); the first is used"),
    "problem.mapped_ignore": (
        "列“{header}”按“列映射”忽略，未读取",
        "column \"{header}\" is not read (Columns mapping: ignore)"),
    "problem.mapping_field": (
        "“列映射”把“{header}”对应到“{field}”，但它不是“{table}”表的列（{known}）；该列未读取",
        "the Columns mapping maps \"{header}\" to \"{field}\", which is not a {table} column ({known}); the column "
        "is not read"),
    "problem.mapping_means": (
        "“列映射”中的含义“{value}”不是可选值之一：{options}",
        "the Columns mapping says a value means \"{value}\", which is not one of {options}"),
    "problem.mapping_unused": (
        "此“列映射”条目（{value}）没有匹配任何读取的表、列或值",
        "this Columns entry ({value}) matches no sheet, column or value read"),
    "problem.mapping_conflict": (
        "--map 中“{value}”的条目与 {first} 不同；使用 --map 的条目",
        "the --map entry for \"{value}\" differs from {first}; the --map entry is used"),
    "problem.lock_file": (
        "这是 Excel 为已打开的工作簿 {name} 创建的锁定文件，不是工作簿；已跳过",
        "this is Excel's lock file for the open workbook {name}, not a workbook; skipped"),
    "problem.same_file": ("与 {first} 是同一个文件（内容相同）；只读取一次", "the same file as {first} (same content); read once"),
    "problem.copied_rows": (
        "{count} 个销售行与 {first} 中的行完全相同（导出范围重叠）；只计一次",
        "{count} Sales row(s) are identical in every column to rows of {first} (overlapping exports); counted "
        "once"),
    "problem.no_gross_profit_values": (
        "毛利列“{header}”没有任何数值；ABC 分类改按销售额计算",
        "the gross_profit column \"{header}\" holds no value in any row; ABC classes fall back to revenue"),
    "problem.no_gross_profit": (
        "所有销售表都没有“毛利”（gross_profit）列；ABC 分类改按销售额计算",
        "no gross_profit (毛利) column in any Sales sheet; ABC classes fall back to revenue"),
    "problem.unknown_sheet": (
        "工作表“{name}”不是 kamreport 读取的表，已忽略",
        "sheet \"{name}\" is not one kamreport reads and is ignored"),
    "problem.sheet_truncated": (
        "此工作表在远至 {far_cell} 的位置有内容；只读取了 A–{last} 列，更右边的单元格已忽略",
        "this sheet has a value as far as {far_cell}; only columns A–{last} were read, cells further right are "
        "ignored"),
    "problem.header_merged_data": (
        "合并单元格 {range} 从表头延伸到数据区，未向下填充",
        "merged cell {range} reaches from the header into the data and is not copied down"),
    "problem.required_missing": ("{header} 为必填项，但为空", "{header} is required but blank"),
    "problem.not_id": (
        "{header}“{value}”不是有效的编号；请填写文本或整数编号",
        "{header} \"{value}\" is not an ID; write the ID as text or a whole number"),
    "problem.not_number": (
        "{header}“{value}”不是数字；可写作 1234.5、1,234.5、¥1,234、-300、(300)、1.2万、3亿 或 12.5K",
        "{header} \"{value}\" is not a number; write e.g. 1234.5, 1,234.5, ¥1,234, -300, (300), 1.2万, 3亿 or 12.5K"),
    "problem.negative": (
        "{header}“{value}”为负数；必须大于或等于 0",
        "{header} \"{value}\" is negative; it must be 0 or more"),
    "problem.out_of_range": (
        "{header}“{value}”超出范围；必须在 {lo} 到 {hi} 之间",
        "{header} \"{value}\" is out of range; it must be between {lo} and {hi}"),
    "problem.not_int": (
        "{header}“{value}”不是 {lo} 到 {hi} 之间的整数",
        "{header} \"{value}\" is not a whole number from {lo} to {hi}"),
    "problem.not_percent": (
        "{header}“{value}”不是百分比；请写作 8% 或 0.08",
        "{header} \"{value}\" is not a percentage; write 8% or 0.08"),
    "problem.percent_bare": (
        "{header}“{value}”含义不明：不带 % 的数字大于 1；请写作 8%（带 %）或 0.08",
        "{header} \"{value}\" is ambiguous: a bare number above 1; write 8% (with %) or 0.08"),
    "problem.not_period": (
        "{header}“{value}”不是期间；请写作月份 2026-07、季度 2026Q3 / 2026年第三季度 或年份 2026",
        "{header} \"{value}\" is not a period; write a month 2026-07, a quarter 2026Q3 or a year 2026"),
    "problem.fx_missing": (
        "{header}“{value}”的币种是 {currency}；请在“设置”表中添加 {setting}（1 {currency} 折合报告币种的汇率，例如 {setting} 7.1）",
        "{header} \"{value}\" is in {currency}; add the setting {setting} (report currency per 1 {currency}, e.g. "
        "{setting} 7.1) to the Settings sheet"),
    "problem.too_large_value": (
        "{header}“{value}”大得不合理（不小于 10^15）；请检查该单元格",
        "{header} \"{value}\" is implausibly large (10^15 or more); check the cell"),
    "problem.year_only": (
        "{header}“{value}”只有年份，不是日期；请写完整日期，例如 2019-03-01 或 2019年3月",
        "{header} \"{value}\" is a year alone, not a date; write the date, e.g. 2019-03-01 or 2019年3月"),
    "problem.year_last": (
        "{header}“{value}”年份在后，日和月的顺序不明；请写作 2026-07-15，或在“设置”表中添加 date_order 为 dmy（日/月/年）或 mdy（月/日/年）",
        "{header} \"{value}\" puts the year last, so day and month could be either way; write 2026-07-15, or add "
        "the setting date_order dmy (day/month/year) or mdy (month/day/year)"),
    "problem.not_plausible": (
        "{header}“{value}”不是合理的日期（早于 {first} 或晚于 {last}）；请检查该单元格",
        "{header} \"{value}\" is not a plausible date (before {first} or after {last}); check the cell"),
    "problem.month_ambiguous": (
        "{header}“{value}”可能是 {year}年1月 或 {year}年10月（Excel 会把 2025.10 存为 2025.1）；请写作文本 2025-10 或日期",
        "{header} \"{value}\" could be {year}-01 or {year}-10 (Excel stores 2025.10 as 2025.1); write the month "
        "as text 2025-10 or a date"),
    "problem.month_needs_year": (
        "{header}“{value}”只有月份没有年份；请添加“年份”列，或写作 2026-07",
        "{header} \"{value}\" is a month number without a year; add a year column (年份 / year) or write 2026-07"),
    "problem.not_date": (
        "{header}“{value}”不是日期；请写作 2026-07-15、2026/7/15、2026.7.15、2026年7月15日、20260715 或使用日期单元格",
        "{header} \"{value}\" is not a date; write 2026-07-15, 2026/7/15, 2026.7.15, 2026年7月15日, 20260715 or use "
        "a date cell"),
    "problem.not_month": (
        "{header}“{value}”不是月份；请写作 2026-07、2026/7、2026年7月、202607 或日期",
        "{header} \"{value}\" is not a month; write 2026-07, 2026/7, 2026年7月, 202607, Jul 2026 or a date"),
    "problem.not_day": (
        "{header}“{value}”不是日期；请写作 07-15、7/15、7月15日 或完整日期",
        "{header} \"{value}\" is not a day; write 07-15, 7/15, 7月15日 or a full date"),
    "problem.not_bool": (
        "{header}“{value}”不是“是/否”；请填写 是、有、√、TRUE、yes、1 或 否、无、FALSE、no、0，或留空",
        "{header} \"{value}\" is not yes/no; write TRUE, yes, y, 1, 是, √ or FALSE, no, n, 0, 否, or leave it blank"),
    "problem.not_enum": ("{header}“{value}”不是可选值之一：{options}", "{header} \"{value}\" is not one of: {options}"),
    "problem.cell_error": (
        "{header} 是 Excel 错误值 {error}；请修正公式或直接填写数值",
        "{header} holds the Excel error {error}; fix the formula or type the value"),
    "problem.formula_no_value": (
        "{header} 是公式（{value}），但没有计算结果；请用 Excel 打开、重新计算并保存",
        "{header} is a formula ({value}) without a calculated value; open the file in Excel, let it calculate "
        "and save it"),
    "problem.bad_email": (
        "{header}“{value}”不是电子邮件地址（例如 name@example.com）；资料包不会发往猜测的地址",
        "{header} \"{value}\" is not an email address (name@example.com); a pack is never mailed to a guess"),
    "problem.duplicate_staff": (
        "{header}“{value}”已在 {first} 出现；保留第一行",
        "{header} \"{value}\" already appears at {first}; the first row is kept"),
    "problem.duplicate_id": (
        "客户编号“{value}”已在 {first} 出现；保留第一行",
        "customer_id \"{value}\" already appears at {first}; the first row is kept"),
    "problem.unknown_customer": (
        "客户编号“{value}”不在“客户”表中{did_you_mean}",
        "customer_id \"{value}\" is not in the Customers sheet{did_you_mean}"),
    "problem.unknown_customer_name": (
        "客户“{value}”不是“客户”表中的客户名称{did_you_mean}",
        "customer \"{value}\" is not a name in the Customers sheet{did_you_mean}"),
    "problem.customer_ambiguous": (
        "客户“{value}”对应多个客户（{ids}）；请填写准确的客户编号",
        "customer \"{value}\" fits more than one customer ({ids}); write the exact customer_id"),
    "problem.customer_loose": (
        "{count} 个客户编号与“客户”表中写法不同的编号匹配（{examples}）；请按“客户”表的写法填写",
        "{count} customer id(s) matched a customer written differently ({examples}); write them as in the "
        "Customers sheet"),
    "problem.id_header_misspelt": (
        "没有客户编号列，但“{header}”像是写错的客户编号列：请改为“客户编号”（或 customer_id），或在“列映射”表中映射",
        "no customer_id column, but \"{header}\" looks like a misspelt one: rename it customer_id (or 客户编号), or "
        "map it in a Columns sheet — customers are not matched by name when an id column is meant"),
    "problem.months_without_year": (
        "月份列 {months} 没有年份：请在其上方加年份（合并单元格“2026年”）、写成“2026年7月”，或写在表标题中",
        "month columns {months} have no year: put the year above them (a merged 2026 cell), in each header "
        "(2026-07) or in the sheet's title"),
    "problem.gp_without_revenue": (
        "{month} 有毛利但没有当月销售额：不作为销售记录",
        "gross profit for {month} without a revenue for that month: no Sales row is made of it"),
    "problem.name_as_id": ("没有客户编号列：以客户名称作为编号", "no customer_id column: each customer's name is its id"),
    "problem.match_by_name": (
        "没有客户编号列：按“{header}”中的客户名称匹配客户",
        "no customer_id column: rows are matched to customers by the name in \"{header}\""),
    "problem.log_rows": ("没有类型列：此记录表的各行按“{kind}”处理", "no type column: this log's rows are of type {kind}"),
    "problem.settings_no_key": ("设置值“{value}”没有对应的键", "setting value \"{value}\" has no key"),
    # the phrase some messages end with when a known name is close
    "problem.did_you_mean": ("；是否是 {hint}？", "; did you mean {hint}?"),
    # what happened to the row or the cell, after the message
    "problem.effect.rejected": ("（该行未采用）", " (row rejected)"),
    "problem.effect.blank": ("（该字段按空白处理）", " (left blank)"),
    "problem.effect.cell_left_out": ("（该单元格未采用）", " (this cell left out)"),
    # kamreport validate: the rows of every sheet and how it was understood
    "validate.rows": (
        "{sheet}：读取 {read} 行，采用 {accepted} 行，未采用 {rejected} 行",
        "{sheet}: read {read}, accepted {accepted}, rejected {rejected}"),
    "validate.rows_skipped": ("，跳过 {skipped} 行", ", skipped {skipped}"),
    "validate.totals": (
        "致命 {fatal} 个，错误 {error} 个，警告 {warning} 个",
        "{fatal} fatal, {error} error{es}, {warning} warning{ws}"),
    "validate.fatal": ("未读取任何数据：请修正上面的致命问题后重试", "nothing was read: fix the fatal problem above and run again"),
    "validate.ok": ("通过：工作簿可以使用", "OK: the workbooks can be used"),
    "validate.sheet": (
        "{where}：按“{kind}”表读取，表头在第 {row} 行，{layout}",
        "{where}: read as {kind}, header row {row}, {layout}"),
    "validate.long": ("每行一条记录", "a row per record"),
    "validate.wide": ("宽表：每月一列（{months}）", "wide: a column per month ({months})"),
    "validate.by_name": ("；按客户名称匹配客户", "; customers matched by name"),
    "validate.column": ("  {letter:>3} {header} → {field}{unit}", "  {letter:>3} {header} → {field}{unit}"),
    "validate.unit": ("（单位 {unit}）", " (unit {unit})"),
    "validate.skipped": ("  跳过：{why}", "  skipped: {why}"),
    "validate.why.void": ("作废 {n} 行", "{n} void"),
    "validate.why.stage": ("未成交 {n} 行", "{n} not won"),
    "validate.why.totals": ("合计/小计 {n} 行", "{n} totals/subtotals"),
    "validate.why.footers": ("表尾 {n} 行", "{n} footer lines"),
    "validate.why.copies": ("与其他文件重复 {n} 行", "{n} copies of another file's rows"),
    "validate.bad": ("有错误的行不会被采用；请修正后重试", "rows with errors are left out; fix them and run again"),
}
