"""The demo hall's data: departments, zones, windows, service items, staff and logins.

Shaped like the hall of the source (3 general zones with 12 + 4 + 4 windows and
specialist windows) and matching the sample files in /work/shared/data: hall LH01,
windows 1-23, badges LH001-LH023 at windows 1-23, service codes LHS01-LHS45. The names
are data in Chinese, not user-interface text. All people are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from windows import roles

HALL_CODE = "LH01"
HALL_NAME = "六合区社会保障综合服务大厅（演示）"
HALL_DISTRICT = "六合区"
HALL_ADDRESS = "南京市六合区雄州街道演示路1号"
HALL_SUPERVISION_PHONE = "025-57108899"

DEMO_PASSWORD = "Demo@2026"
DEMO_EMAIL_DOMAIN = "lh01.demo.invalid"  # RFC 2606: never delivered anywhere
ROSTER_WEEKS = 4

# 进驻部门
SHEBAO = "社保管理中心"
HEZUO_YILIAO = "合作医疗办公室"
SHEBAOKA = "社保卡服务中心"
XINXI = "人社保障信息中心"
JIUYE = "劳动就业管理中心"
DEPARTMENTS = (SHEBAO, HEZUO_YILIAO, SHEBAOKA, XINXI, JIUYE)

# The three general zones (片区), in display order; windows of other desks have no zone.
SB = "社保通办"
YB = "医保通办"
QB = "企保待遇通办"
ZONES = (SB, YB, QB)

# Desks of the specialist windows: which service items a window handles is decided by
# its desk (its zone for a general window).
SY = "失业特殊业务"
JB = "居保及被征地保障服务"
KA = "社保卡服务"


@dataclass(frozen=True)
class WindowSpec:
    number: int
    name: str
    zone: str | None
    department: str
    desk: str


def _general_windows() -> list[WindowSpec]:
    layout = [(range(1, 13), SB, SHEBAO), (range(13, 17), YB, HEZUO_YILIAO)]
    windows = [
        WindowSpec(number, f"{zone}{number}号窗口", zone, department, zone)
        for numbers, zone, department in layout
        for number in numbers
    ]
    windows += [WindowSpec(n, f"企保退休综合服务{n}号窗口", QB, SHEBAO, QB) for n in range(17, 21)]
    return windows


WINDOWS: tuple[WindowSpec, ...] = (
    *_general_windows(),
    WindowSpec(21, "失业特殊业务窗口", None, JIUYE, SY),
    WindowSpec(22, "居保及被征地保障服务窗口", None, SHEBAO, JB),
    WindowSpec(23, "社保卡服务窗口", None, SHEBAOKA, KA),
)


@dataclass(frozen=True)
class ServiceItemSpec:
    code: str
    name: str
    category: str
    promised_working_days: int | None  # None: handled on the spot (即办件)
    materials: tuple[str, ...]
    desks: tuple[str, ...]


ID = "居民身份证原件"
CARD = "社会保障卡"
ID_OR_CARD = "居民身份证原件或社会保障卡"
AGENT_ID = "经办人居民身份证原件"
LICENCE = "营业执照或事业单位法人证书副本复印件"

SERVICE_ITEMS: tuple[ServiceItemSpec, ...] = (
    # 社保通办: registration, contributions, records, transfers, work injury, unemployment
    ServiceItemSpec("LHS01", "职工参保登记", "综合", None,
                    (LICENCE, "参保职工名单（加盖单位公章）", "劳动合同复印件", AGENT_ID), (SB,)),
    ServiceItemSpec("LHS02", "单位社会保险登记信息变更", "综合", None,
                    ("变更事项的批准文件或证明材料", AGENT_ID), (SB,)),
    ServiceItemSpec("LHS03", "单位社会保险注销登记", "综合", 5,
                    ("注销或吊销证明文件", "社会保险费清缴证明", AGENT_ID), (SB,)),
    ServiceItemSpec("LHS04", "职工增减员申报", "综合", None,
                    ("增减员申报表（加盖单位公章）", AGENT_ID), (SB,)),
    ServiceItemSpec("LHS05", "灵活就业人员参保登记", "养老保险", None,
                    (ID, CARD, "银行代扣协议"), (SB,)),
    ServiceItemSpec("LHS06", "灵活就业人员缴费档次变更", "养老保险", None, (ID, CARD), (SB,)),
    ServiceItemSpec("LHS07", "个人权益记录查询打印", "综合", None, (ID_OR_CARD,), (SB, QB, JB)),
    ServiceItemSpec("LHS08", "参保缴费证明开具", "综合", None, (ID_OR_CARD,), (SB, YB, QB)),
    ServiceItemSpec("LHS09", "养老保险关系转移接续", "养老保险", 15,
                    (ID, "参保缴费凭证（转出地开具）", "基本养老保险关系转移接续申请表"), (SB, QB)),
    ServiceItemSpec("LHS10", "养老保险个人账户一次性待遇申领", "养老保险", 10,
                    ("申领人居民身份证原件", "死亡证明或出国（境）定居证明", "继承人关系证明",
                     "申领人银行卡"), (SB, QB)),
    ServiceItemSpec("LHS11", "社会保险费补缴申报", "综合", 10,
                    ("补缴申请表（加盖单位公章）", "劳动合同及工资发放记录", AGENT_ID), (SB,)),
    ServiceItemSpec("LHS12", "个人参保信息变更", "综合", None,
                    (ID, "户口簿或公安机关出具的变更证明"), (SB, YB)),
    ServiceItemSpec("LHS13", "工伤职工伤残待遇申领", "工伤保险", 15,
                    ("工伤认定决定书", "劳动能力鉴定结论书", ID, "本人银行卡"), (SB,)),
    ServiceItemSpec("LHS14", "工伤医疗费用报销", "工伤保险", 20,
                    ("工伤认定决定书", "医疗费用原始票据", "病历及费用明细清单", ID), (SB,)),
    ServiceItemSpec("LHS15", "工亡职工供养亲属抚恤金申领", "工伤保险", 15,
                    ("工伤（亡）认定决定书", "死亡证明", "供养亲属关系证明",
                     "供养亲属居民身份证原件"), (SB,)),
    ServiceItemSpec("LHS16", "工伤职工异地居住就医备案", "工伤保险", None,
                    ("工伤认定决定书", "异地居住证明", ID), (SB,)),
    ServiceItemSpec("LHS17", "失业登记", "失业保险", None,
                    (ID, CARD, "解除或终止劳动合同证明"), (SB, SY)),
    ServiceItemSpec("LHS18", "失业保险金申领", "失业保险", None,
                    (ID, CARD, "解除或终止劳动合同证明"), (SB, SY)),
    # 失业特殊业务窗口
    ServiceItemSpec("LHS19", "失业保险关系转移接续", "失业保险", 10,
                    (ID, "失业保险关系转移申请表", "原参保地缴费证明"), (SY,)),
    ServiceItemSpec("LHS20", "失业人员丧葬补助金和抚恤金申领", "失业保险", 10,
                    ("死亡证明", "申领人居民身份证原件", "亲属关系证明"), (SY,)),
    ServiceItemSpec("LHS21", "稳岗返还申领", "失业保险", 15,
                    ("营业执照副本复印件", "单位银行账户信息", AGENT_ID), (SY,)),
    ServiceItemSpec("LHS22", "技能提升补贴申领", "失业保险", 15,
                    (ID, "职业资格证书或职业技能等级证书", CARD), (SY,)),
    # 医保通办
    ServiceItemSpec("LHS23", "城乡居民医疗保险参保登记", "医疗保险", None,
                    ("居民身份证原件或户口簿", CARD), (YB,)),
    ServiceItemSpec("LHS24", "医保异地就医备案", "医疗保险", None,
                    (ID_OR_CARD, "异地就医备案表（个人承诺制）"), (YB,)),
    ServiceItemSpec("LHS25", "医疗费用零星报销", "医疗保险", 20,
                    (CARD, "医疗费用原始票据", "费用明细清单", "出院记录或门诊病历"), (YB,)),
    ServiceItemSpec("LHS26", "生育医疗费报销", "医疗保险", 15,
                    (CARD, "出生医学证明", "生育登记证明", "医疗费用原始票据"), (YB,)),
    ServiceItemSpec("LHS27", "生育津贴申领", "医疗保险", 15,
                    (ID, "出生医学证明", "单位银行账户信息"), (YB,)),
    ServiceItemSpec("LHS28", "门诊特殊病种认定", "医疗保险", 10,
                    (CARD, "二级及以上医院诊断证明", "近期检查报告及病历"), (YB,)),
    ServiceItemSpec("LHS29", "医保关系转移接续", "医疗保险", 15,
                    (ID, "参保凭证（转出地开具）"), (YB,)),
    ServiceItemSpec("LHS30", "职工医保个人账户家庭共济备案", "医疗保险", None,
                    ("职工本人居民身份证原件", "共济家庭成员居民身份证原件",
                     "亲属关系证明（户口簿或结婚证）"), (YB,)),
    ServiceItemSpec("LHS31", "职工医保退休缴费年限核定", "医疗保险", 10,
                    (ID, "参保缴费证明", "视同缴费年限证明材料"), (YB, QB)),
    # 企保待遇通办 (企保退休综合服务)
    ServiceItemSpec("LHS32", "企业职工退休审批", "养老保险", 15,
                    (ID, "本人人事档案", CARD, "近期一寸免冠照片"), (QB,)),
    ServiceItemSpec("LHS33", "灵活就业人员退休审批", "养老保险", 15,
                    (ID, "本人人事档案或户籍证明", CARD), (QB,)),
    ServiceItemSpec("LHS34", "基本养老金领取资格认证", "养老保险", None, (ID_OR_CARD,), (QB,)),
    ServiceItemSpec("LHS35", "丧葬费和抚恤金申领", "养老保险", 10,
                    ("死亡证明", "火化证明", "申领人居民身份证原件", "亲属关系证明"), (QB,)),
    ServiceItemSpec("LHS36", "基本养老金发放账户变更", "养老保险", None,
                    (ID, "社会保障卡（金融账户已激活）"), (QB,)),
    ServiceItemSpec("LHS37", "退休人员社会化管理服务登记", "养老保险", None,
                    (ID, "退休审批表", "居住地证明"), (QB,)),
    ServiceItemSpec("LHS38", "退休人员基本信息变更", "养老保险", None,
                    (ID, "户口簿或公安机关出具的变更证明"), (QB,)),
    # 居保及被征地保障服务窗口
    ServiceItemSpec("LHS39", "城乡居民养老保险参保登记", "居民保险", None, (ID, "户口簿"), (JB,)),
    ServiceItemSpec("LHS40", "城乡居民养老保险待遇申领", "居民保险", 10,
                    (ID, "户口簿", CARD), (JB,)),
    ServiceItemSpec("LHS41", "被征地人员社会保障办理", "居民保险", 20,
                    (ID, "户口簿", "征地批准文件及被征地人员名单", CARD), (JB,)),
    ServiceItemSpec("LHS42", "被征地人员社会保障待遇申领", "居民保险", 10,
                    (ID, "被征地人员社会保障办理确认书", CARD), (JB,)),
    # 社保卡服务窗口
    ServiceItemSpec("LHS43", "社保卡申领（即时制卡）", "社保卡", None,
                    (ID, "近期免冠照片（可现场采集）"), (KA,)),
    ServiceItemSpec("LHS44", "社保卡挂失补换", "社保卡", None, (ID,), (KA, SB)),
    ServiceItemSpec("LHS45", "社保卡信息变更及密码重置", "社保卡", None, (ID, CARD), (KA,)),
)  # fmt: skip


@dataclass(frozen=True)
class StaffSpec:
    badge_no: str
    display_name: str
    department: str
    job_title: str
    window_number: int | None = None  # the window the person staffs day to day

    @property
    def username(self) -> str:
        return self.badge_no.lower()


WINDOW_CLERK = "窗口经办员"
DUTY_LEADER = "值班长"
GUIDE = "引导员"
RELIEF_CLERK = "综合柜员（机动）"

_WINDOW_STAFF_NAMES = (
    "王丽娟", "陈晓燕", "张伟", "刘婷", "李静", "杨帆", "赵敏", "周洁", "吴昊", "徐蕾",
    "孙倩", "朱浩然", "马晓丽", "胡雪梅", "郭婧", "何佳怡", "高建华", "林慧", "罗云", "梁晨",
    "宋志强", "郑秀英", "谢雨婷",
)  # fmt: skip
_WINDOWS_BY_NUMBER = {window.number: window for window in WINDOWS}

STAFF: tuple[StaffSpec, ...] = (
    *(
        StaffSpec(
            f"LH{number:03d}",
            name,
            _WINDOWS_BY_NUMBER[number].department,
            WINDOW_CLERK,
            window_number=number,
        )
        for number, name in enumerate(_WINDOW_STAFF_NAMES, start=1)
    ),
    StaffSpec("LH024", "韩立新", SHEBAO, DUTY_LEADER),
    StaffSpec("LH025", "唐敏", HEZUO_YILIAO, DUTY_LEADER),
    StaffSpec("LH026", "冯国庆", JIUYE, DUTY_LEADER),
    StaffSpec("LH027", "于佳", SHEBAO, GUIDE),
    StaffSpec("LH028", "董欣怡", SHEBAO, GUIDE),
    StaffSpec("LH029", "程雅琪", SHEBAOKA, GUIDE),
    StaffSpec("LH030", "曹磊", SHEBAO, RELIEF_CLERK),
    StaffSpec("LH031", "袁芳", HEZUO_YILIAO, RELIEF_CLERK),
    StaffSpec("LH032", "邓文博", XINXI, "信息系统管理员"),
)

# The roster: leaders and guides rotate day by day; each relief clerk takes over one
# window of their own department on one weekday while its clerk has a rest day (轮休),
# a different window each week.
DUTY_LEADER_BADGES = ("LH024", "LH025", "LH026")
GUIDE_BADGES = ("LH027", "LH028", "LH029")
GUIDES_PER_DAY = 2


@dataclass(frozen=True)
class ReliefSpec:
    badge_no: str
    weekday: int  # Monday is 0
    window_numbers: tuple[int, ...]


RELIEFS = (
    ReliefSpec("LH030", 2, (*range(1, 13), *range(17, 21), 22)),
    ReliefSpec("LH031", 4, tuple(range(13, 17))),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role_label: str  # shown by `demo_logins`, in Chinese like the group names
    group: str | None
    open_path: str
    is_staff: bool = False
    is_superuser: bool = False
    hall_access: bool = False


DEMO_LOGINS = (
    DemoLogin("admin", "系统管理员（超级用户）", None, "/admin/", is_staff=True, is_superuser=True),
    DemoLogin("manager", roles.HALL_MANAGER, roles.HALL_MANAGER, "/admin/", is_staff=True,
              hall_access=True),
    DemoLogin("supervisor", roles.SUPERVISOR, roles.SUPERVISOR, "/admin/", is_staff=True,
              hall_access=True),
    DemoLogin("lh005", f"{roles.WINDOW_STAFF}（5号窗口）", roles.WINDOW_STAFF, "/"),
    DemoLogin("tablet05", f"{roles.TABLET_DEVICE}（5号窗口）", roles.TABLET_DEVICE, "/"),
)  # fmt: skip
