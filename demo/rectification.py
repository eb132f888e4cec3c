"""The demo hall's rectification checklist and inspection, after the source.

The checklist is the source's 《社会保障综合服务大厅满意度提升13项工作措施完成进度清单》:
ten measures finished (eight of them verified) and three in progress, one of them past
its deadline. The inspection is the first supervision group's visit that named windows
5, 9 and 27 among the best; the demo hall has no window 27, so window 7 (named by the
third group) stands in for it. Names and texts are data in Chinese, not interface text.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from demo import catalogue
from rectification.models import Inspection, Measure, RectificationChecklist
from windows.models import Department, Hall, HallAccess, Window
from windows.rules.hall_time import hall_zone

CHECKLIST_TITLE = "社会保障综合服务大厅满意度提升13项工作措施完成进度清单"
INSPECTION_GROUP = "区级机关工委作风建设监督组（第一组）"
BEST_WINDOWS = (5, 9, 7)

# (measure, department, deadline in days from today, status, progress %, evidence)
V, D, P = Measure.Status.VERIFIED, Measure.Status.DONE, Measure.Status.IN_PROGRESS
MEASURES = (
    ("公开服务事项", catalogue.SHEBAO, -100, V, 100, "大厅入口公示栏及触摸屏公开全部经办事项"),
    ("标画一米线", catalogue.SHEBAO, -95, V, 100, "各窗口前标画一米线，照片存档"),
    ("放大设备标识", catalogue.XINXI, -90, V, 100, "自助设备标识更换为大号字体"),
    ("增设监督投诉电话", catalogue.SHEBAO, -85, V, 100, "各窗口及公示栏公布监督投诉电话"),
    ("增加柜面提醒", catalogue.SHEBAO, -80, V, 100, "柜面放置办事提醒卡"),
    ("挂牌上岗", catalogue.SHEBAO, -75, V, 100, "全体窗口人员佩戴工作牌上岗"),
    ("着装统一", catalogue.SHEBAO, -70, V, 100, "窗口人员统一着工装"),
    ("调整值班安排", catalogue.SHEBAO, -60, V, 100, "午间及高峰时段值班表已调整"),
    ("增加引导人员", catalogue.JIUYE, -45, D, 100, "高峰时段增设2名引导员"),
    ("规范使用文明用语", catalogue.HEZUO_YILIAO, -30, D, 100, "印发文明用语手册并组织学习"),
    ("完善一次性告知材料清单", catalogue.SHEBAO, -5, P, 80, "已完成40项事项的告知清单修订"),
    ("推广网上办、掌上办", catalogue.XINXI, 20, P, 60, "大厅设置网上办事体验区"),
    ("开展窗口人员业务培训", catalogue.SHEBAO, 30, P, 50, "已组织两期集中培训"),
)


def seed_rectification(*, hall: Hall, today: date) -> int:
    """Create the checklist with its 13 measures and one inspection, if missing.

    Returns how many rows were created (measures and inspections); a second run
    creates nothing and returns 0.
    """
    created = 0
    if not RectificationChecklist.objects.filter(hall=hall, title=CHECKLIST_TITLE).exists():
        created += _seed_checklist(hall=hall, today=today)
    if not Inspection.objects.filter(hall=hall, group_name=INSPECTION_GROUP).exists():
        inspection = Inspection.objects.create(
            hall=hall,
            group_name=INSPECTION_GROUP,
            visited_on=today - timedelta(days=40),
            findings="窗口服务规范，秩序良好；个别窗口告知材料清单需更新。",
        )
        inspection.best_windows.set(Window.objects.filter(hall=hall, number__in=BEST_WINDOWS))
        created += 1
    return created


def _seed_checklist(*, hall: Hall, today: date) -> int:
    checklist = RectificationChecklist.objects.create(
        hall=hall,
        title=CHECKLIST_TITLE,
        source=RectificationChecklist.Source.QUESTIONNAIRE,
        period_start=today - timedelta(days=120),
        period_end=today + timedelta(days=30),
    )
    departments = {d.name: d for d in Department.objects.filter(hall=hall)}
    access = HallAccess.objects.filter(hall=hall).select_related("user").order_by("pk").first()
    verifier = access.user if access else None
    measures = []
    for order, (title, department, days, status, progress, evidence) in enumerate(
        MEASURES, start=1
    ):
        deadline = today + timedelta(days=days)
        finished = status in (V, D)
        completed_on = deadline - timedelta(days=3) if finished else None
        verified = status == V
        measures.append(
            Measure(
                checklist=checklist,
                order=order,
                title=title,
                responsible_department=departments.get(department),
                deadline=deadline,
                status=status,
                progress_pct=progress,
                evidence_notes=evidence,
                completed_on=completed_on,
                verified_by=verifier if verified else None,
                verified_at=datetime.combine(
                    completed_on + timedelta(days=2), time(10), hall_zone(hall)
                )
                if verified
                else None,
            )
        )
    Measure.objects.bulk_create(measures)
    return len(measures)
