"""The demo hall's complaints beside its bad reviews: hotline calls, 12345 work orders, on-site
and online complaints of the last three months, most of them closed, a few in progress.

Two of them are past their deadline, as a hall would have now and then: a 12345 work order
still waiting for the department's answer after its 8 working days, and a hotline
complaint whose callback has not been made. The dashboard's overdue count is those two.

Each case is received through the complaint service and worked by its plan
(demo.casework): a text per case of what the hall did, and times in working
minutes after the previous step. Names and texts are data in Chinese, not interface text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from complaints.models import Channel, Complaint
from complaints.services import complaints as services
from complaints.services.complaints import complaint_receive
from windows.models import Staff, Window

from .casework import Casework, Planner, Step
from .casework_steps import backdate_registration

OVERDUE_CASES = 2
SATISFIED = Complaint.CallbackResult.SATISFIED
UNREACHABLE = Complaint.CallbackResult.UNREACHABLE
NOT_SATISFIED = Complaint.CallbackResult.NOT_SATISFIED
SUBSTANTIATED = Complaint.Verdict.SUBSTANTIATED
UNSUBSTANTIATED = Complaint.Verdict.UNSUBSTANTIATED


@dataclass(frozen=True)
class DemoComplaint:
    channel: str
    business_days_ago: int  # received on the n-th business day before today
    received: time
    window: int | None
    badge: str  # the staff member complained about
    category: str
    text: str
    handler: str  # badge of who handles it
    # (action, working minutes after the previous step, reply / callback result / verdict)
    steps: tuple[tuple[str, int, str], ...]
    work_order: str = ""  # the 12345 order's serial; its number is GD<date>-<serial>
    late: str = ""  # the action done after its deadline

    def work_order_no(self, received_at: datetime) -> str:
        return f"GD{received_at:%Y%m%d}-{self.work_order}" if self.work_order else ""


V, A, S, R = services.VERIFY, services.ASSIGN, services.START, services.REPLY
C, X = services.CALLBACK, services.CLOSE
DEMO_COMPLAINTS = (
    DemoComplaint(
        Channel.HOTLINE, 58, time(10, 5), 3, "LH003", "attitude",
        "来电反映3号窗口工作人员解答咨询时语气生硬、不耐烦。", "LH024",
        ((V, 40, ""), (A, 10, ""), (S, 30, ""),
         (R, 300, "经调取录像核实，当事工作人员答复语气欠妥，已批评教育并在晨会通报，向市民致歉。"),
         (C, 200, SATISFIED), (X, 60, SUBSTANTIATED)),
    ),
    DemoComplaint(
        Channel.WORK_ORDER_12345, 47, time(14, 20), 17, "LH017", "efficiency",
        "市民反映企业职工退休审批材料递交后长时间未收到办理结果。", "LH024",
        ((V, 30, ""), (A, 15, ""), (S, 60, ""),
         (R, 1500, "经核查，该件已按时审批完成，因短信未送达市民不知情；"
            "已电话告知结果并补发通知。"),
         (C, 300, SATISFIED), (X, 90, UNSUBSTANTIATED)),
        work_order="0413",
    ),
    DemoComplaint(
        Channel.ONLINE, 33, time(20, 40), None, "", "environment",
        "网上留言反映大厅叫号屏字体偏小，老年人看不清叫号信息。", "LH032",
        ((V, 50, ""), (A, 20, ""), (S, 120, ""),
         (R, 700, "已调大叫号屏字体并开启语音叫号，高峰时段在等候区增设引导员协助老年人。"),
         (C, 240, SATISFIED), (X, 30, SUBSTANTIATED)),
    ),
    DemoComplaint(
        Channel.ON_SITE, 21, time(11, 10), 13, "LH013", "notification",
        "现场反映办理医保异地就医备案时未被一次性告知所需材料，往返两次。", "LH025",
        ((V, 20, ""), (A, 10, ""), (S, 15, ""),
         (R, 240, "已当面致歉并补充告知全部材料，窗口已张贴异地就医备案一次性告知清单。"),
         (C, 400, UNREACHABLE), (X, 120, SUBSTANTIATED)),
    ),
    DemoComplaint(
        Channel.WORK_ORDER_12345, 14, time(9, 40), 21, "LH021", "policy",
        "市民咨询失业保险金申领条件，认为窗口解释与网上政策不一致。", "LH026",
        ((V, 25, ""), (A, 10, ""), (S, 45, ""),
         (R, 900, "已向市民解释现行申领条件及过渡期规定，窗口解释与现行政策一致。"),
         (C, 200, NOT_SATISFIED),
         (R, 600, "已寄送书面政策说明，并由值班长再次电话逐条解释。"),
         (C, 300, SATISFIED), (X, 60, UNSUBSTANTIATED)),
        work_order="1126", late=R,
    ),
    # Open: in progress for longer than the 8 working days of a 12345 order (overdue).
    DemoComplaint(
        Channel.WORK_ORDER_12345, 12, time(15, 10), 13, "LH013", "efficiency",
        "市民反映医保异地就医备案办理时间过长，排队等候超过一小时。", "LH025",
        ((V, 20, ""), (A, 10, ""), (S, 40, "")),
        work_order="0087",
    ),
    # Open: replied, the callback due the day after is still to be made (overdue).
    DemoComplaint(
        Channel.HOTLINE, 4, time(10, 30), 7, "LH007", "notification",
        "来电反映办理灵活就业人员参保登记时未被一次性告知所需材料，往返两次。", "LH024",
        ((V, 30, ""), (A, 10, ""), (S, 60, ""),
         (R, 400, "已电话致歉并告知全部所需材料，要求窗口执行一次性告知。")),
    ),
    # Open: an online suggestion in progress, within its deadline.
    DemoComplaint(
        Channel.ONLINE, 2, time(19, 15), None, "", "other",
        "网上留言建议在自助服务区增加社保卡制卡进度查询功能。", "LH032",
        ((V, 40, ""), (A, 20, ""), (S, 60, ""),
         (R, 1100, "已在自助服务区终端上线制卡进度查询，并在大厅公众号同步提供。"),
         (C, 200, SATISFIED), (X, 60, SUBSTANTIATED)),
    ),
    # Open: received yesterday afternoon, to be verified the next morning.
    DemoComplaint(
        Channel.ON_SITE, 1, time(16, 50), None, "", "environment",
        "等候区座位不足，老年人站立等候。", "LH027",
        ((V, 30, ""), (A, 10, ""), (S, 60, ""),
         (R, 900, "已在等候区增加12个座位，并设置老年人优先座椅。"),
         (C, 200, SATISFIED), (X, 60, SUBSTANTIATED)),
    ),
)  # fmt: skip
BY_TEXT = {spec.text: spec for spec in DEMO_COMPLAINTS}
COMPLAINANTS = ("张先生", "李女士", "王先生", "刘女士", "陈先生")


def seed_complaints(*, work: Casework) -> int:
    """Receive the demo complaints once (none is received while any non-review case
    exists); their steps are done by casework_steps.work_open_cases with plan_complaint."""
    hall = work.hall
    if Complaint.objects.filter(hall=hall).exclude(channel=Channel.BAD_REVIEW).exists():
        return 0
    windows = {w.number: w for w in Window.objects.filter(hall=hall)}
    staff = {s.badge_no: s for s in Staff.objects.filter(hall=hall)}
    cases = []
    for n, spec in enumerate(DEMO_COMPLAINTS):
        day = work.calendar.before(work.today, spec.business_days_ago)
        received_at = work.calendar.at(day, spec.received)
        if received_at > work.now:
            continue
        cases.append(
            complaint_receive(
                hall=hall,
                channel=spec.channel,
                received_at=received_at,
                by=work.people.manager,
                work_order_no=spec.work_order_no(work.calendar.local(received_at)),
                complainant_name=COMPLAINANTS[n % len(COMPLAINANTS)],
                callback_phone=f"1385123{4560 + n:04d}",
                window=windows.get(spec.window) if spec.window else None,
                staff=staff.get(spec.badge),
                category=spec.category,
                comment=spec.text,
            )
        )
    backdate_registration(cases)
    return len(cases)


def plan_complaint(case: Complaint, work: Casework) -> list[Step] | None:
    """The plan of one of the demo complaints (found by its text)."""
    spec = BY_TEXT.get(case.comment)
    if case.channel == Channel.BAD_REVIEW or spec is None or spec.channel != case.channel:
        return None
    manager = work.people.manager
    handler = work.people.by_badge.get(spec.handler, manager)
    plan = Planner(case, work, late=spec.late or None)
    for action, minutes, value in spec.steps:
        by = handler if action in services.HANDLER_ACTIONS else manager
        if action == services.ASSIGN:
            plan.do(action, by, minutes, handler=handler)
        elif action == services.REPLY:
            plan.do(action, by, minutes, reply=value)
        elif action == services.CALLBACK:
            note = "市民外出，三次致电未接通，已短信告知处理结果。" if value == UNREACHABLE else ""
            plan.do(action, by, minutes, result=value, note=note)
        elif action == services.CLOSE:
            plan.do(action, by, minutes, verdict=value)
        else:
            plan.do(action, by, minutes)
    return plan.steps
