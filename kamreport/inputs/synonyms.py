"""The maintained list of other names for sheets, columns and choices
(SPEC §1.5): the words Chinese and English teams use in the workbooks they
already keep, and the column names of widespread CRM and ERP exports
(Salesforce, HubSpot, Dynamics 365, 纷享销客, 销售易, 用友, 金蝶).

Data only; docs/synonyms.md lists the same words for users. A word is
matched after schema.fold (case, spaces, `_`, `-`, full-width forms). The
spec's own names (schema.py) always win over a synonym.
"""
from __future__ import annotations

# Sheet kind -> other names. A name with a year or other words around it
# (`销售数据2026`, `2026年销售`) is matched by read.sheet_kinds.
SHEETS: dict[str, tuple[str, ...]] = {
    "Customers": ("客户信息", "客户档案", "客户名单", "客户资料", "客户列表", "客户清单", "客户主数据", "重点客户",
                  "大客户", "Accounts", "Account", "Customer", "Customer list", "Companies", "Company", "Clients",
                  "Client list", "客户表"),
    "Sales": ("销售数据", "销售明细", "销售月报", "销售额", "销售记录", "销售报表", "销售台账", "收入", "收入明细",
              "营业收入", "业绩", "业绩明细", "订单", "订单明细", "回款", "Revenue", "Orders", "Order lines",
              "Deals", "Opportunities", "Invoices", "Sales data", "Bookings"),
    "Activities": ("拜访记录", "跟进记录", "客户拜访", "拜访", "跟进", "活动记录", "服务记录", "联系记录",
                   "沟通记录", "客户活动", "Visits", "Visit log", "Calls", "Call log", "Activity", "Touchpoints",
                   "Interactions", "Tasks"),
    "Contacts": ("联系人信息", "联系人名单", "客户联系人", "关键人", "决策链", "People", "Stakeholders",
                 "Contact list"),
    "Surveys": ("满意度调查", "满意度调研", "客户满意度", "调查", "回访", "NPS", "Survey", "CSAT"),
    "Plans": ("客户计划", "行动", "行动项", "计划", "Action plan", "Actions", "Account plan"),
    "Competitors": ("竞争", "竞品", "竞争分析", "竞争情况", "Competition", "Competitor"),
    "Settings": ("参数", "配置", "Config", "Parameters"),
    "Columns": ("列映射", "字段映射", "映射", "Mapping", "Column map", "Columns"),
    "Staff": ("员工", "人员", "员工名单", "人员名单", "员工信息", "团队成员", "团队", "销售人员", "销售团队",
              "客户经理名单", "通讯录", "Team", "Team members", "Employees", "Users", "Sales Reps",
              "Sales team", "Staff list", "Account managers"),
    "Targets": ("目标", "销售目标", "指标", "预算", "Budget", "Quota", "Quotas"),
}

# Sheets found through these names are visit or call logs: they may lack a
# type column, and their rows are of this type (SPEC §1.5).
LOG_TYPES: dict[str, str] = {
    "拜访记录": "visit", "客户拜访": "visit", "拜访": "visit", "Visits": "visit", "Visit log": "visit",
    "跟进记录": "visit", "跟进": "visit", "Calls": "call", "Call log": "call", "电话记录": "call",
}

# Columns shared by every sheet with a customer_id.
_CUSTOMER_ID = ("客户编码", "客户代码", "客户ID", "客户号", "客户号码", "单位编码", "单位代码", "客户编号ID", "往来单位编码",
                "往来单位代码", "客商编码", "客户简码", "Account ID", "AccountId", "Account Number",
                "Account No", "Customer ID", "Customer No", "Customer Number", "Customer Code", "Company ID",
                "Client ID", "CRM ID", "账户ID")
# (Not "Record ID": in a HubSpot deals export it is the deal's id.)
# The customer's name: `name` in Customers, a name to match by elsewhere.
CUSTOMER_NAME = ("客户名称", "客户全称", "客户简称", "客户", "单位名称", "公司名称", "企业名称", "往来单位",
                 "往来单位名称", "客商名称", "客户单位", "Account Name", "Company name", "Company",
                 "Customer", "Customer name", "Client", "Client name", "Organisation", "Organization",
                 "Potential Customer", "Parent Account", "Associated Company")

COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "Customers": {
        "customer_id": _CUSTOMER_ID,
        "name": CUSTOMER_NAME,
        "industry": ("所属行业", "行业类别", "Industry", "Sector", "Vertical"),
        "region": ("地区", "所属区域", "大区", "片区", "Region", "Territory", "Area"),
        "account_manager": ("负责人", "客户负责人", "销售负责人", "业务员", "客户经理姓名", "Owner",
                            "Account Owner", "Company owner", "Owner Name", "Sales Rep", "Account Manager"),
        "executive_sponsor": ("高层联系人", "高层负责人", "Executive Sponsor", "Exec sponsor"),
        "sales_manager": ("销售主管", "Sales Manager"),
        "since": ("合作时间", "开始合作日期", "首次合作日期", "合作起始日期", "Customer Since",
                  "Relationship start"),
        "long_term_agreement": ("框架协议", "长期合作协议", "战略协议", "是否签约", "Long-term agreement",
                                "Framework agreement", "Master agreement"),
        "contract_end": ("合同到期", "合同截止日期", "协议到期日", "到期日", "合同结束日期", "Contract End Date",
                         "Contract end", "Renewal date", "Renewal Date"),
        "designated_key": ("是否重点客户", "重点客户", "高层指定重点", "Key account", "Strategic account"),
        "market_size": ("采购规模", "年采购额", "钱包规模", "潜在规模", "Wallet", "Wallet size",
                        "Annual spend"),
        "market_growth": ("行业增长率", "增长率", "Market growth", "Growth rate"),
        "strategic_fit": ("战略匹配", "战略匹配度", "协同程度", "Strategic fit"),
        "industry_position": ("行业排名", "Industry position", "Market position"),
        "relationship_stage": ("关系阶段", "关系程度", "客户关系", "Relationship", "Relationship stage"),
        "relationship_type": ("合作关系", "合作类型", "Relationship type", "Partner type"),
        "notes": ("说明", "描述", "Notes", "Description", "Comments", "Remarks"),
    },
    "Sales": {
        # A pivot table pasted as values names its row labels so (the ids are
        # still matched against Customers: wrong ones are errors, not guesses).
        "customer_id": _CUSTOMER_ID + ("行标签", "Row Labels"),
        "month": ("年月", "期间", "会计期间", "所属期间", "所属月份", "销售月份", "日期", "单据日期",
                  "Period", "Month", "Date", "Close Date", "Actual Close Date", "Fiscal period"),
        "revenue": ("销售收入", "营业收入", "销售金额", "收入", "金额", "本币金额",
                    "成交金额", "订单金额", "合同金额", "Amount", "Deal amount", "Revenue amount",
                    "Net amount", "Sales", "Total amount", "Actual revenue", "Invoice amount",
                    "Opportunity amount"),
        "gross_profit": ("毛利额", "毛利润", "销售毛利", "Gross profit", "Gross margin", "Margin", "GP"),
        "product": ("产品名称", "产品线", "存货名称", "物料名称", "服务项目", "项目", "Product", "Product line",
                    "Item", "SKU"),
        "overdue_amount": ("逾期应收", "逾期款", "逾期账款", "Overdue", "Past due", "Overdue amount"),
        "target": ("销售目标", "目标额", "预算", "指标", "Target", "Quota", "Budget"),
    },
    "Activities": {
        "customer_id": _CUSTOMER_ID,
        "date": ("拜访日期", "跟进日期", "跟进时间", "活动日期", "联系日期", "拜访时间", "Activity date",
                 "Date", "Due Date", "Visit date", "Call date"),
        "type": ("跟进方式", "跟进类型", "拜访方式", "拜访类型", "活动类型", "联系方式", "沟通方式", "方式",
                 "Activity type", "Type",
                 "Task type", "Subtype", "Channel"),
        "owner": ("拜访人", "跟进人", "我方人员", "销售代表", "Assigned To", "Owner", "Activity owner",
                  "Sales rep"),
        "contact": ("联系人姓名", "客户联系人", "拜访对象", "Contact name", "Contact"),
        "minutes": ("时长（分钟）", "用时", "Duration", "Duration (minutes)", "Minutes"),
        "resolved_on": ("解决时间", "完成日期", "关闭日期", "Resolved on", "Closed date", "Completed date"),
        "summary": ("内容", "拜访内容", "跟进内容", "沟通内容", "备注", "Subject", "Description", "Notes",
                    "Comments"),
    },
    "Contacts": {
        "customer_id": _CUSTOMER_ID,
        "name": ("联系人姓名", "联系人", "名字", "Full name", "Contact name", "Contact", "First and last name"),
        "title": ("职位", "岗位", "Title", "Job title", "Position"),
        "role": ("决策角色", "角色类型", "Role", "Buying role"),
        "attitude": ("立场", "支持度", "Attitude", "Stance"),
        "influence": ("影响程度", "Influence"),
        "birthday": ("出生日期", "生日日期", "Birthday", "Birthdate", "Date of birth"),
        "email": ("电子邮件", "邮件", "Email", "E-mail", "Email address"),
        "phone": ("手机", "手机号", "联系电话", "电话号码", "Phone", "Mobile", "Mobile phone"),
    },
    "Surveys": {
        "customer_id": _CUSTOMER_ID,
        "date": ("调查日期", "回访日期", "Survey date", "Date", "Response date"),
        "score": ("满意度得分", "满意度评分", "评分", "得分", "Score", "CSAT", "Satisfaction"),
        "nps": ("NPS", "推荐度", "推荐意向", "Likelihood to recommend", "NPS score"),
        "comment": ("建议", "反馈", "Comment", "Comments", "Feedback"),
    },
    "Plans": {
        "customer_id": _CUSTOMER_ID,
        "objective": ("计划目标", "Objective", "Goal"),
        "action": ("行动计划", "措施", "行动项", "Action", "Next step"),
        "owner": ("责任人", "执行人", "Owner", "Assigned to"),
        "due": ("截止时间", "计划完成日期", "完成期限", "Due", "Due date", "Deadline"),
        "status": ("完成状态", "进度", "Status"),
        "completed_on": ("实际完成日期", "Completed on", "Completed date"),
    },
    "Competitors": {
        "customer_id": _CUSTOMER_ID,
        "competitor": ("竞争对手名称", "竞品", "对手", "Competitor", "Competitor name"),
        "share": ("份额占比", "占比", "市场份额", "Share", "Share of wallet"),
        "strengths": ("优点", "Strengths"),
        "weaknesses": ("缺点", "Weaknesses"),
    },
    "Staff": {
        "name": ("员工姓名", "人员姓名", "客户经理", "名字", "Full Name", "Employee", "Employee name",
                 "Staff name", "User", "User name", "Account Manager", "Sales Rep"),
        "email": ("电子邮件", "电子邮箱", "邮件", "邮件地址", "邮箱地址", "Email", "E-mail", "Email address",
                  "Mail"),
        "team": ("部门", "所属部门", "所属团队", "小组", "团队名称", "Team", "Department", "Dept", "Group",
                 "Division"),
    },
    "Settings": {
        "key": ("设置项", "参数", "名称", "Setting", "Name", "Key"),
        "value": ("设置值", "参数值", "Value"),
    },
}

# Enum -> key -> common words (SPEC §1.5 "Enum words").
ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "activity_type": {
        "visit": ("上门拜访", "拜访客户", "走访", "面谈", "现场拜访", "上门", "现场", "on-site", "onsite", "in person",
                  "site visit", "face to face", "面访"),
        "call": ("电话沟通", "电话回访", "通话", "微信", "企业微信", "phone", "phone call", "wechat", "视频通话",
                 "视频会议", "video call", "电话拜访", "钉钉"),
        "meeting": ("开会", "座谈", "会面", "会谈", "交流会", "汇报", "meet", "workshop", "review meeting"),
        "email": ("电子邮件", "发邮件", "e-mail", "mail"),
        "care": ("节日问候", "生日关怀", "慰问", "问候", "送礼", "关怀拜访", "gift", "greeting", "birthday"),
        "training": ("培训会", "讲座", "workshop training", "webinar"),
        "service": ("维修", "售后", "巡检", "维护", "保养", "技术支持", "support", "maintenance", "repair"),
        "complaint": ("客诉", "投诉处理", "客户投诉", "complaint handling", "escalation"),
    },
    "bool": {
        "true": ("已签", "签订", "已签订", "有效", "签约", "是的"),
        "false": ("未签", "未签订", "无协议", "没有", "不是"),
    },
    "relationship_stage": {
        "very_strong": ("非常好", "很牢固", "牢固", "excellent", "very good"),
        "good": ("好", "良", "较好", "稳定"),
        "developing": ("发展", "培育中", "growing", "building"),
        "limited": ("较弱", "弱", "weak"),
        "defensive": ("防御", "守势", "at risk"),
        "declining": ("下降", "恶化", "倒退中", "流失风险", "declining relationship", "churn risk"),
    },
    "relationship_type": {
        "vendor": ("供应商", "普通供应商", "supplier"),
        "preferred_supplier": ("优选供应商", "首选供应商", "核心供应商", "preferred vendor"),
        "partner": ("合作伙伴关系", "伙伴", "partnership"),
        "strategic_alliance": ("战略合作", "战略合作伙伴", "alliance", "strategic partner"),
    },
    "contact_role": {
        "decision_maker": ("决策人", "拍板人", "decision-maker", "economic buyer"),
        "influencer": ("影响人", "技术把关", "influencer"),
        "champion": ("内线", "教练", "coach", "sponsor"),
        "user": ("使用人", "用户", "end user"),
        "gatekeeper": ("守门人", "采购", "procurement"),
    },
    "attitude": {
        "supporter": ("支持者", "友好", "positive", "friendly"),
        "neutral": ("中性",),
        "opponent": ("反对者", "敌对", "negative", "hostile"),
    },
    "plan_status": {
        "open": ("未开始", "进行", "待办", "未完成", "in progress", "not started", "todo", "pending"),
        "done": ("完成", "已完成", "关闭", "closed", "completed", "complete"),
        "cancelled": ("取消", "作废", "canceled", "dropped"),
    },
}
