"""Which transition may leave which state (the guards). The services check here before they change anything;
pages and the API read `allowed(case)` to offer only what can be done now."""

from xiangzhi.cases.models import Case
from xiangzhi.core.errors import Conflict

# transition -> states it may start from
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "accept": (Case.REPORTED,),  # 受理
    "assign": (Case.REPORTED, Case.ASSIGNED),  # 分类派遣 (or re-dispatch before work starts)
    "return": (Case.REPORTED, Case.ASSIGNED),  # 退回: wrongly routed, back to whoever sent it
    "start": (Case.ASSIGNED,),  # 开始办理
    "deliberate": (Case.IN_PROGRESS,),  # 提交议事
    "suspend": (Case.IN_PROGRESS,),  # 挂起
    "resume": (Case.SUSPENDED, Case.DELIBERATING),  # 恢复办理
    "extend": (Case.ASSIGNED, Case.IN_PROGRESS),  # 申请延期
    "resolve": (Case.IN_PROGRESS,),  # 办结 (report the result)
    "verify": (Case.RESOLVED,),  # 核查
    "rate": (Case.VERIFIED,),  # 评价 (the reporter)
    "visit": (Case.VERIFIED,),  # 回访 (staff record the rating of a reporter who did not rate)
    "close": (Case.VERIFIED,),  # 结案 without a rating: 未评价
    "escalate": (Case.REPORTED, Case.ASSIGNED, Case.IN_PROGRESS),  # 上报上级
    "merge": (Case.REPORTED, Case.ASSIGNED, Case.IN_PROGRESS),  # 合并重复
}

LABELS = {
    "report": "上报",
    "accept": "受理",
    "assign": "分类派遣",
    "return": "退回",
    "start": "开始办理",
    "deliberate": "提交议事",
    "suspend": "挂起",
    "resume": "恢复办理",
    "extend": "申请延期",
    "extend_approved": "批准延期",
    "extend_refused": "不批准延期",
    "resolve": "办结",
    "verify": "核查通过",
    "verify_failed": "核查未通过",
    "rate": "评价",
    "visit": "回访",
    "close": "结案",
    "reopen": "不满意，重新办理",
    "escalate": "上报上级",
    "auto_escalate": "超期自动上报",
    "merge": "合并",
    "merged_in": "合并重复事件",
    "warn": "临期预警",
    "overdue": "超期",
    "note": "办理进展",
    "mediation": "调解",
}

STATE_LABELS = dict(Case.STATE_CHOICES)


def allowed(case: Case) -> list[str]:
    return [t for t, states in TRANSITIONS.items() if case.state in states]


def check(case: Case, transition: str) -> None:
    if case.state not in TRANSITIONS[transition]:
        raise Conflict(
            f"事件当前为“{STATE_LABELS[case.state]}”，不能{LABELS[transition]}。"
            "可能已有他人处理，请刷新页面查看最新状态。",
            code="invalid_transition",
        )
