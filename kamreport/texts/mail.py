"""What `kamreport send` writes in a mail: subject words, the body's lines
and the attachments' names, in Chinese and English (deliver/send.py).
Figures in the body go through kamreport.fmt (`mail_money`, `mail_pct`)."""
from __future__ import annotations

MAIL: dict[str, tuple[str, str]] = {
    "mail.quarter_title": ("重点客户季度报告", "Key account quarterly review"),
    "mail.month_title": ("重点客户月度报告", "Key account monthly review"),
    "mail.plan": ("客户计划", "Account plan"),
    "mail.greeting": ("您好，", "Hello,"),
    "mail.intro": (
        "附件是 {period} 的重点客户报告（截至 {as_of}）。",
        "Attached is the key account review for {period} (as of {as_of})."),
    "mail.headline": ("组合概况", "Portfolio at a glance"),
    "mail.customers": ("客户数", "Customers"),
    "mail.key": ("重点客户", "Key accounts"),
    "mail.revenue_q": ("本期销售额", "Revenue this period"),
    "mail.growth_qoq": ("环比增长", "Growth vs previous period"),
    "mail.growth_yoy": ("同比增长", "Growth vs a year earlier"),
    "mail.nps": ("净推荐值 (NPS)", "Net promoter score (NPS)"),
    "mail.high_risks": ("高风险：{accounts} 个客户，共 {risks} 项", "High risks: {risks} at {accounts} account(s)"),
    "mail.no_high_risks": ("本期没有高风险。", "No high risks this period."),
    "mail.more_risks": (
        "……另有 {n} 个客户，见报告中的风险清单。",
        "… and {n} more account(s); see the risk register in the booklet."),
    "mail.sep": ("；", "; "),
    "mail.quality": (
        "数据质量：{error} 行被拒绝，{warning} 条警告（见 problems.csv）。",
        "Data quality: {error} rows rejected, {warning} warnings (see problems.csv)."),
    "mail.attached": ("附件：{files}", "Attached: {files}"),
    "mail.footer": ("此邮件由 kamreport 自动发送。", "This message was sent automatically by kamreport."),
    "mail.pack_title": ("客户经理资料包", "Account manager pack"),
    "mail.high_risk_count": ("高风险", "High risks"),
    "mail.pack_greeting": ("{name}，您好：", "Hello {name},"),
    "mail.pack_intro": (
        "附件是您 {period} 的客户经理资料包（截至 {as_of}）：考核指标、风险与下一步，以及您负责的 {n} 个重点客户的客户计划。",
        "Attached is your account manager pack for {period} (as of {as_of}): your scorecard, your risks with "
        "next steps and the plans of your {n} key account(s)."),
    "mail.pack_card": ("您的考核指标", "Your scorecard"),
    "mail.ordinary": ("普通客户", "Ordinary customers"),
    "mail.overdue_actions": ("逾期行动", "Overdue actions"),
    "mail.pack_high_risks": (
        "您的客户的高风险：{accounts} 个客户，共 {risks} 项",
        "High risks at your accounts: {risks} at {accounts} account(s)"),
    "mail.pack_more_risks": (
        "……另有 {n} 个客户，见资料包中的风险清单。",
        "… and {n} more account(s); see the risk list in the pack."),
}
