"""The engine's findings worded: risk messages, next steps, health bases,
headlines and tier strategies (texts.sentences fills them from the
engine's codes and parameters).

An English entry may be a (one, many) pair chosen by the count `n`;
`{n:,}` groups thousands in the many form, as the English sentences always
have ("1,204 complaints"). Chinese writes counts ungrouped.
"""
from __future__ import annotations

FINDINGS: dict[str, tuple[str, str | tuple[str, str]]] = {
    # --- counts and lists inside sentences ------------------------------------
    "count.days": ("{n}", ("{n} day", "{n:,} days")),
    "list.sep": ("、", ", "),
    "list.and": ("、", " and "),
    # zh says the count before the names, so a list that goes on ends in 等
    "list.more": ("等", " and {n} more"),

    # --- risk messages (SPEC §4 Risks), quoting the numbers --------------------
    "risk_message.REVENUE_DROP": ("销售额下降：环比 {qoq}，同比 {yoy}（预警线 -{drop}）",
                                  "Revenue fell: growth QoQ {qoq}, YoY {yoy} (alert at -{drop})"),
    "risk_message.LOW_SATISFACTION": ("满意度 {latest}（上次 {prev}，底线 {floor}）",
                                      "Satisfaction {latest} (previous {prev}, floor {floor})"),
    "risk_message.CONTACT_OVERDUE": ("距上次接触已 {days} 天（联系周期 {cadence} 天）",
                                     "Last contact {days} days ago (cadence {cadence} days)"),
    "risk_message.CONTACT_OVERDUE_none": ("没有任何接触记录（联系周期 {cadence} 天）",
                                          "No contact on record (cadence {cadence} days)"),
    "risk_message.OPEN_COMPLAINT": ("{n} 个投诉超过 {limit} 天未解决（最久 {oldest} 天）",
                                    ("{n} complaint open for more than {limit} days (oldest {oldest})",
                                     "{n:,} complaints open for more than {limit} days (oldest {oldest})")),
    "risk_message.CONTRACT_EXPIRING": ("长期协议将于{end}到期，还有 {days} 天", "Agreement ends on {end}, in {days}"),
    "risk_message.ACTION_OVERDUE": ("{n} 项行动已逾期", ("{n} action overdue", "{n:,} actions overdue")),
    "risk_message.CONCENTRATION": ("占组合近12个月销售额的 {share}，超过 {limit}",
                                   "{share} of portfolio revenue (TTM), above {limit}"),
    "risk_message.RELATIONSHIP_DECLINING": ("关系状态为“{stage}”", "Relationship stage is {stage}"),
    "risk_message.NO_ACCOUNT_MANAGER": ("重点客户未指定客户经理", "Key account without an account manager"),
    "risk_message.CREDIT_OVERDUE": ("逾期应收款 {owed}（近12个月销售额 {ttm}）",
                                    "Overdue receivables {owed} (revenue TTM {ttm})"),
    "risk_message.NO_ACTION_PLAN": ("有 {n} 项高风险，但行动计划中没有进行中的行动",
                                    ("{n} high risk and no open action in the plan",
                                     "{n:,} high risks and no open action in the plan")),
    # the stage as the message words it (en: the input's code)
    "risk_stage.declining": ("倒退", "declining"),
    "risk_stage.defensive": ("防守", "defensive"),

    # --- the next step per risk (SPEC §4 "Next step per risk") -----------------
    # `{who}` names the person where one fits; each has a wording for when
    # nobody is known (`…_none`).
    "next_step.CONTACT_OVERDUE": ("拜访最具影响力的决策者{who}", "Visit {who}, the most influential decision maker"),
    "next_step.CONTACT_OVERDUE_none": ("找到客户的关键决策者并上门拜访", "Find the customer's key decision maker and visit"),
    "next_step.LOW_SATISFACTION": ("与{who}（{role}）开展服务回顾", "Hold a service review with {who} ({role})"),
    "next_step.LOW_SATISFACTION_none": ("与客户的支持者或决策者开展服务回顾",
                                        "Hold a service review with the customer's champion or decision maker"),
    "next_step.OPEN_COMPLAINT": ("结清{date}的投诉{more}", "Close the complaint of {date}{more}"),
    "next_step.OPEN_COMPLAINT_more": ("及其余 {n} 项未结投诉",
                                      (" and the {n} other open one", " and the {n:,} other open ones")),
    "next_step.CONTRACT_EXPIRING": ("在{date}前启动续约谈判", "Start renewal talks before {date}"),
    "next_step.REVENUE_DROP": ("由{manager}与决策者{who}一起复盘该客户",
                               "Review the account with {manager} and {who}, the decision maker"),
    "next_step.REVENUE_DROP_none": ("由{manager}与客户决策者一起复盘该客户",
                                    "Review the account with {manager} and the customer's decision maker"),
    "next_step.the_manager": ("客户经理", "the account manager"),
    "next_step.CREDIT_OVERDUE": ("与客户商定{amount}逾期款的还款计划", "Agree a payment plan for the {amount} overdue"),
    "next_step.ACTION_OVERDUE": ("重新安排或关闭{n}项逾期行动",
                                 ("Reschedule or close the overdue action", "Reschedule or close the {n:,} overdue actions")),
    "next_step.RELATIONSHIP_DECLINING": ("安排我方高层支持者{who}与客户高层会面",
                                         "Arrange a meeting of our executive sponsor {who} with the customer's leadership"),
    "next_step.RELATIONSHIP_DECLINING_none": ("安排我方高层支持者与客户高层会面",
                                              "Arrange an executive-sponsor meeting with the customer's leadership"),
    "next_step.NO_ACCOUNT_MANAGER": ("指定一名客户经理", "Assign an account manager"),
    "next_step.CONCENTRATION": ("拓展其他客户，降低对该客户的依赖", "Widen the portfolio to depend less on this account"),
    "next_step.NO_ACTION_PLAN": ("为高风险制定行动计划（负责人、截止日期）",
                                 "Write an action plan for the high risks (owner and due date)"),
    # the role as a next step words it
    "next_step.role.decision_maker": ("决策者", "decision maker"),
    "next_step.role.champion": ("支持者", "champion"),

    # --- what each health component was computed from (SPEC §4 Health) ---------
    "health_basis.growth_yoy": ("同比增长 {growth}", "growth YoY {growth}"),
    "health_basis.growth_qoq": ("环比增长 {growth}", "growth QoQ {growth}"),
    "health_basis.growth_none": ("增长：无", "growth: none"),
    "health_basis.satisfaction": ("最近满意度 {latest}", "latest satisfaction {latest}"),
    "health_basis.satisfaction_none": ("满意度调查：无", "survey: none"),
    "health_basis.touch": ("距上次接触 {days} 天", "{days} since the last touch"),
    "health_basis.touch_none": ("无接触记录", "no touch"),
    "health_basis.cadence": ("，联系周期 {days} 天", ", cadence {days}"),
    "health_basis.cadence_none": ("，无联系周期", ", no cadence"),
    "health_basis.service": ("近12个月投诉 {n} 项，已解决 {resolved} 项",
                             ("{resolved} of {n} complaint resolved (TTM)",
                              "{resolved} of {n:,} complaints resolved (TTM)")),
    "health_basis.execution": ("到期行动 {n} 项，按时完成 {on_time} 项",
                               ("{on_time} of {n} due action on time", "{on_time} of {n:,} due actions on time")),

    # --- headlines (SPEC §4 Headlines) ---------------------------------------
    "headline.KEY_ACCOUNTS_LOST": ("流失 {n} 家重点客户：{names}",
                                   ("{n} key account lost: {names}", "{n:,} key accounts lost: {names}")),
    "headline.REVENUE_AT_RISK": ("{n} 家重点客户有高风险，涉及近12个月销售额 {amount}",
                                 ("{amount} of revenue (TTM) at risk on {n} key account with a high risk",
                                  "{amount} of revenue (TTM) at risk on {n:,} key accounts with a high risk")),
    "headline.NO_ACTION_PLAN": ("{n} 家有高风险的重点客户没有行动计划：{names}",
                                ("{n} key account with a high risk has no plan: {names}",
                                 "{n:,} key accounts with a high risk have no plan: {names}")),
    "headline.LARGEST_DROP": ("降幅最大：{name}，较{before}减少 {amount}",
                              "Largest drop: {name}, down {amount} on {before}"),
    "headline.before.quarter": ("上季度", "the previous quarter"),
    "headline.before.month": ("前三个月", "the previous 3 months"),
    "headline.RENEWALS_DUE": ("{n} 份长期协议将在 {days} 天内到期：{renewals}",
                              ("{n} agreement up for renewal within {days} days: {renewals}",
                               "{n:,} agreements up for renewal within {days} days: {renewals}")),
    "headline.renewal": ("{name}（{date}）", "{name} ({date})"),
    "headline.KEY_ACCOUNTS_WON": ("新增 {n} 家重点客户：{names}",
                                  ("{n} new key account: {names}", "{n:,} new key accounts: {names}")),
    "headline.PYRAMID_OFF_TARGET": ("{group}占客户总数的 {share}（目标 {target}）",
                                    "{group} are {share} of customers (target {target})"),
    "headline.TIME_OFF_TARGET": ("{group}占用了 {share} 的时间（目标 {target}）",
                                 "{group} take {share} of the time (target {target})"),
    "headline.group.key": ("重点客户", "Key accounts"),
    "headline.group.ordinary": ("普通客户", "Ordinary customers"),
    "headline.group.other": ("潜在客户和无吸引力客户", "Prospects and unattractive customers"),

    # --- each tier's strategy (the seed's "2.3.4 各类客户的对策") ---------------
    "strategy.key": (
        "与其整个企业高层很好地建立起各种关系并精心加以维护；如果可能，应设法与之建立合作伙伴或战略联盟关系。",
        "Build relationships with the customer's whole senior management and tend them carefully; "
        "where possible, aim for a partnership or a strategic alliance."),
    "strategy.ordinary": (
        "履行好在已渗透领域内的职责，通过扩大与别人的差别，争取更多接近关键人物的机会并使其对你产生偏好，"
        "同时提高所能提供的附加价值，设法将其转变为重点客户。",
        "Deliver in the areas already won; widen the difference from competitors, win more access to "
        "the key people and their preference, raise the added value you offer, and convert the "
        "customer into a key account."),
    "strategy.prospect": (
        "采取积极措施与之做成第一笔生意，设法将其转变为普通客户，然后履行职责，努力巩固地位。",
        "Take active steps to win a first deal, turn the customer into an ordinary customer, then "
        "deliver and consolidate your position."),
    "strategy.unattractive": (
        "只投入最少的资源；如果这类客户的潜力变大，再设法将其变为有可能成为客户的对象。",
        "Spend minimal resources; pursue the customer only if its potential grows, then turn it "
        "into a prospect."),
}
