"""The Settings sheet's warnings (engine/settings.py) and the period's
errors (engine/period.py), in Chinese and English: what a bad value should have been (`setting_accepts.<code>`, the
code of settings.BadSetting) and the sentences around it. The settings'
names on the report's settings page are labels (`setting.<name>`,
documents.py)."""
from __future__ import annotations

SETTINGS: dict[str, tuple[str, str]] = {
    # what a setting accepts (the end of "… expected {accepted}")
    "setting_accepts.number": ("数字", "a number"),
    "setting_accepts.fraction_or_percent": ("0 到 1 之间的小数，或百分数如 20%",
                                            "a fraction between 0 and 1, or a percent such as 20%"),
    "setting_accepts.fraction": ("大于 0、不超过 1 的小数（或 1%–100%）", "a fraction above 0 and at most 1 (or 1%–100%)"),
    "setting_accepts.score": ("0 到 100 之间的数", "a number from 0 to 100"),
    "setting_accepts.weight": ("不小于 0 的数", "a number ≥ 0"),
    "setting_accepts.days": ("{minimum} 到 3650 的整数天数", "a whole number of days from {minimum} to 3650"),
    "setting_accepts.floor": ("0 到 10 之间的数", "a number from 0 to 10"),
    "setting_accepts.language": ("zh 或 en", "zh or en"),
    "setting_accepts.abc_basis": ("gross_profit（毛利）或 revenue（销售额）", "gross_profit or revenue"),
    "setting_accepts.single_line": ("单行文字", "a single line of text"),
    "setting_accepts.mail_to": ("以 , 或 ; 分隔的邮箱地址", "e-mail addresses separated by , or ;"),
    "setting_accepts.currency": ("三个字母的币种代码，如 CNY、USD", "a three-letter currency code such as CNY or USD"),
    "setting_accepts.color": ("颜色代码，如 #1f4e79", "a colour such as #1f4e79"),
    "setting_accepts.logo": (".png、.jpg、.gif 或 .svg 图片的路径", "the path of a .png, .jpg, .gif or .svg image"),
    "setting_accepts.logo_missing": ("存在的图片文件（找不到：{path}）", "an existing image file (not found: {path})"),
    "setting_accepts.date_order": ("ymd、dmy 或 mdy", "ymd, dmy or mdy"),
    "setting_accepts.fx": ("正数汇率，例如 7.1", "a positive exchange rate such as 7.1"),
    # the warnings
    "setting_problem.unknown": ("未知的设置项 “{key}”，已忽略", "unknown setting '{key}', ignored"),
    "setting_problem.did_you_mean": ("；是否想写 “{hint}”？", "; did you mean '{hint}'?"),
    "setting_problem.known": ("；可用的设置项：{known}", "; known settings: {known}"),
    "setting_problem.bad": ("设置项 {key} 的值 “{value}” 无效：应为{accepted}；使用默认值 {default}",
                            "setting {key}: '{value}' is not valid: expected {accepted}; the default {default} is used"),
    "setting_problem.blank": ("（空）", "(blank)"),
    "setting_problem.twice": ("设置项 {key} 重复出现（先前在第 {row} 行）；使用此处较后的值",
                              "setting {key} is given twice (before at row {row}); this later value is used"),
    # a pair that only makes sense together fell back to both defaults
    "setting_problem.cuts": ("abc_a_cut 必须小于 abc_b_cut", "abc_a_cut must be below abc_b_cut"),
    "setting_problem.attractive": ("attractive_medium 不能大于 attractive_high",
                                   "attractive_medium must not exceed attractive_high"),
    "setting_problem.weights": ("三个权重不能都为 0", "the three weights cannot all be 0"),
    "setting_problem.defaults": ("；使用默认值 {defaults}", "; the defaults {defaults} are used"),
    # the reporting period (SPEC §2): --period or the data
    "period.unreadable": ("--period: 无法识别 “{text}”；可用季度 2026Q3（也可写 2026-Q3、2026q3）或月份 2026-08",
                          "--period: cannot read '{text}'; use a quarter such as 2026Q3 "
                          "(also 2026-Q3, 2026q3) or a month such as 2026-08"),
    "period.no_sales": ("销售表没有任何有效行，无法确定报告期；请用 --period 指定，例如 --period 2026Q3",
                        "the Sales sheet has no accepted rows, so the period cannot be "
                        "taken from the data; give one with --period, e.g. --period 2026Q3"),
}
