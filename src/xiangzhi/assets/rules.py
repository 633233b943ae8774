"""The rules of 三资 contracts and of 合同清理, as data, each with the law it comes from (issue 5, item 5).

Dates are whole days. A term of N years that begins on `starts_on` ends, by Civil Code Art. 201 and 203 (开始的当日
不计入，期间的最后一日是截止日；没有对应日的，月末日为最后一日), on the same calendar day N years later: a lease
from 2020-01-01 to 2040-01-01 is exactly twenty years; to 2040-01-02 it is twenty years and a day.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

# -- categories (三资) ---------------------------------------------------------------------------------------------
FUNDS, ASSETS, RESOURCES = "funds", "assets", "resources"
CATEGORY_CHOICES = [(FUNDS, "资金"), (ASSETS, "资产"), (RESOURCES, "资源")]
CATEGORY_LABELS = dict(CATEGORY_CHOICES)

# -- what the contract does: decides which resolution it needs and which checks apply -----------------------------
MATTER_LAND = "land"  # 集体土地发包（以其他方式承包、机动地、四荒地等）
MATTER_CONSTRUCTION_LAND = "construction_land"  # 集体经营性建设用地出让、出租
MATTER_LEASE = "lease"  # 房屋、设备等集体资产租赁
MATTER_OTHER = "other"  # 资金往来、工程等其他合同
MATTER_CHOICES = [
    (MATTER_LAND, "集体土地发包"),
    (MATTER_CONSTRUCTION_LAND, "集体经营性建设用地出让、出租"),
    (MATTER_LEASE, "集体资产租赁"),
    (MATTER_OTHER, "其他"),
]
MATTER_LABELS = dict(MATTER_CHOICES)

PER_YEAR, TOTAL = "per_year", "total"
AMOUNT_BASIS_CHOICES = [(PER_YEAR, "每年"), (TOTAL, "合同总额")]

INDIVIDUAL, ORGANISATION = "individual", "organisation"
COUNTERPARTY_TYPE_CHOICES = [(INDIVIDUAL, "个人"), (ORGANISATION, "单位")]

# the longest lease the law allows (民法典 Art. 705)
LEASE_MAX_YEARS = 20
# the default "ending soon" window of the expiry alert, in days (a village may set its own)
EXPIRY_ALERT_DAYS = 90
MAX_EXPIRY_ALERT_DAYS = 730

# -- resolution a matter needs (deliberation.rules item kinds) ------------------------------------------------------
# (matter, outsider?) -> (item kind required, township approval required, the law)
RESOLUTION_RULES = {
    (MATTER_LAND, True): (
        "land_contract_outsider",
        True,
        "农村土地承包法第五十二条：发包给本集体经济组织以外的单位或者个人承包，应当事先经村民会议三分之二以上成员"
        "或者三分之二以上村民代表同意，并报乡（镇）人民政府批准",
    ),
    (MATTER_CONSTRUCTION_LAND, True): (
        "construction_land",
        False,
        "土地管理法第六十三条：集体经营性建设用地出让、出租，应当经村民会议三分之二以上成员或者三分之二以上村民代表同意",
    ),
    (MATTER_CONSTRUCTION_LAND, False): (
        "construction_land",
        False,
        "土地管理法第六十三条：集体经营性建设用地出让、出租，应当经村民会议三分之二以上成员或者三分之二以上村民代表同意",
    ),
}
ANY_RESOLUTION_LAW = "村民委员会组织法第二十四条：集体经济项目的承包方案、集体财产的处分等须经村民会议（或经授权的村民代表会议）讨论决定"


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes the last day of February in a common year."""
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def lease_limit(starts_on: dt.date) -> dt.date:
    """The last lawful day of a lease that begins on `starts_on` (民法典 Art. 705, days counted per Art. 201)."""
    return add_years(starts_on, LEASE_MAX_YEARS)


# -- 合同清理 checks -----------------------------------------------------------------------------------------------
NO_WRITTEN = "no_written"
NO_RESOLUTION = "no_resolution"
ARREARS = "arrears"
OVER_20_YEARS = "over_20_years"
PAST_LAND_PERIOD = "past_land_period"


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    law: str
    matters: tuple[str, ...]  # the matters it applies to


CHECKS: tuple[Check, ...] = (
    Check(
        NO_WRITTEN,
        "无书面合同",
        "农村土地承包法第二十二条（发包方应当与承包方签订书面承包合同）；民法典第七百零七条（租赁期限六个月以上的，"
        "应当采用书面形式）",
        (MATTER_LAND, MATTER_CONSTRUCTION_LAND, MATTER_LEASE, MATTER_OTHER),
    ),
    Check(
        NO_RESOLUTION,
        "未经民主程序（无决议或决议不符合法定要求）",
        ANY_RESOLUTION_LAW + "；农村土地承包法第五十二条；土地管理法第六十三条",
        (MATTER_LAND, MATTER_CONSTRUCTION_LAND, MATTER_LEASE, MATTER_OTHER),
    ),
    Check(
        ARREARS,
        "拖欠承包费、租金",
        "民法典第七百二十二条（承租人无正当理由未支付或者迟延支付租金的，出租人可以请求其在合理期限内支付）",
        (MATTER_LAND, MATTER_CONSTRUCTION_LAND, MATTER_LEASE, MATTER_OTHER),
    ),
    Check(
        OVER_20_YEARS,
        "租赁期限超过二十年",
        "民法典第七百零五条：租赁期限不得超过二十年。超过二十年的，超过部分无效",
        (MATTER_CONSTRUCTION_LAND, MATTER_LEASE),
    ),
    Check(
        PAST_LAND_PERIOD,
        "期限超过土地承包期（二轮延包）",
        "农村土地承包法第二十一条、第三十八条（流转期限不得超过承包期的剩余期限）",
        (MATTER_LAND,),
    ),
)
CHECK_BY_CODE = {c.code: c for c in CHECKS}
CHECK_CHOICES = [(c.code, c.label) for c in CHECKS]
