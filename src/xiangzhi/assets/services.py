"""Changing 三资 contracts: record and change a contract with its payment schedule, record a payment, a village's
settings. One function per change; each checks the policy and the rules before writing anything, writes in one
transaction, and records one audit row (never with an ID number). A refusal raises ValidationFailed (422) or
Conflict (409) with a Chinese message, and nothing is written.

`contract_clean` is the one place the input of a contract is checked: the web form, the API and the Excel import
all go through it (the import checks every row first and writes only when all are good).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from xiangzhi import policy
from xiangzhi.assets import rules
from xiangzhi.assets.models import AssetSetting, Contract, Instalment, Payment
from xiangzhi.audit.services import record
from xiangzhi.core import clock, text
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.core.money import fen_to_yuan
from xiangzhi.regions.models import Region

MAX_AREA_MU = Decimal("1000000")  # a village's whole territory is far smaller
MAX_AMOUNT = 10**14  # 分: a trillion yuan, far above any village contract
MAX_INSTALMENTS = 200
MAX_TERM_YEARS = 70  # the longest term any law allows (建设用地 70 years); more is a typing error


def _village(region: Region) -> Region:
    if region is None or region.level != "village":
        raise ValidationFailed("合同属于村集体：请选择一个村。", field="village")
    return region


def parse_area(value) -> int:
    """An area in 亩 (text, int or Decimal, at most two decimals) → 1/100 亩. Never a float."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationFailed("面积须为数字，最多两位小数（如 12.35）。", field="area")
    raw = str(value if value is not None else "").replace("亩", "").replace(",", "").strip()
    if not raw:
        return 0
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(f"面积“{raw}”不是有效的数字。", field="area") from None
    if not number.is_finite():
        raise ValidationFailed(f"面积“{raw}”不是有效的数字。", field="area")
    if number < 0:
        raise ValidationFailed(f"面积不能为负数（填写的是 {raw} 亩）。", field="area")
    if number >= MAX_AREA_MU:
        raise ValidationFailed(f"面积 {raw} 亩超出范围，请核对。", field="area")
    if number.as_tuple().exponent < -2:
        raise ValidationFailed("面积最多保留两位小数（0.01 亩）。", field="area")
    return int(number * 100)


def format_area(cmu: int) -> str:
    return f"{Decimal(cmu) / 100:.2f}"


def _fen(value, *, field_name: str, label: str, positive: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{label}须为整数（单位：分）。", field=field_name)
    if value < 0:
        raise ValidationFailed(f"{label}不能为负数。", field=field_name)
    if positive and value == 0:
        raise ValidationFailed(f"{label}须大于 0。", field=field_name)
    if value > MAX_AMOUNT:
        raise ValidationFailed(f"{label}超出范围，请核对。", field=field_name)
    return value


def _choice(value, choices, *, field_name: str, label: str) -> str:
    if value not in dict(choices):
        raise ValidationFailed(f"请选择{label}。", field=field_name)
    return value


def _date(value, *, field_name: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationFailed(f"请填写{label}（日期）。", field=field_name)
    return value


def resolution_check(resolution_id, village: Region):
    """The approving resolution: a passed item (表决通过) of the village's own meeting. Unknown, another village's
    or not passed: refused. Whether it meets the matter's own threshold is a 清理 check (`rules.RESOLUTION_RULES`),
    shown on the contract, not a refusal: old contracts are recorded as they are, to be put right."""
    if resolution_id in (None, ""):
        return None
    from xiangzhi.deliberation.models import Item

    try:
        pk = int(resolution_id)
    except (TypeError, ValueError):
        raise ValidationFailed("决议编号须为数字。", field="resolution") from None
    item = Item.objects.filter(pk=pk).first() if 0 < pk < 2**62 else None
    if item is None:
        raise ValidationFailed(f"找不到编号为 {pk} 的决议。", field="resolution")
    if item.region_code[:12] != village.code:
        raise ValidationFailed("所选决议不是本村的决议，不能作为本合同的批准依据。", field="resolution")
    if item.passed is not True:
        raise ValidationFailed("所选决议未获表决通过，不能作为合同的批准依据。", field="resolution")
    return item


def resolution_problem(contract_matter: str, is_member: bool, item) -> str:
    """Why the resolution does not meet the matter's threshold ("" when it does). `item` may be None."""
    if item is None:
        return "没有批准合同的决议。"
    rule = rules.RESOLUTION_RULES.get((contract_matter, not is_member))
    if rule is None:
        return ""
    kind, township, law = rule
    if item.kind != kind:
        return f"决议不是按法定表决比例表决的专项决议（{law}）。"
    if township and not item.township_approved_at:
        return f"决议尚未经乡（镇）人民政府批准（{law}）。"
    return ""


@dataclass
class ContractInput:
    """A contract's fields, checked (`contract_clean`)."""

    code: str
    category: str
    matter: str
    subject: str
    area_cmu: int
    amount: int
    amount_basis: str
    counterparty_name: str
    counterparty_type: str
    counterparty_is_member: bool
    counterparty_id_number: str
    starts_on: dt.date
    ends_on: dt.date
    has_written_contract: bool
    resolution: object
    schedule: list[tuple[dt.date, int]] = field(default_factory=list)
    note: str = ""

    def audit(self) -> dict:
        return {
            "code": self.code,
            "category": self.category,
            "matter": self.matter,
            "area": format_area(self.area_cmu),
            "amount": self.amount,
            "amount_basis": self.amount_basis,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "has_written_contract": self.has_written_contract,
            "resolution": getattr(self.resolution, "pk", None),
            "instalments": len(self.schedule),
        }


def contract_clean(
    *,
    village: Region,
    code,
    category,
    matter,
    subject,
    area,
    amount,
    amount_basis,
    counterparty_name,
    counterparty_type=rules.INDIVIDUAL,
    counterparty_is_member,
    counterparty_id_number="",
    starts_on,
    ends_on,
    has_written_contract,
    resolution_id=None,
    schedule=(),
    note="",
) -> ContractInput:
    """Check one contract's input; raise the first problem (with its field) in Chinese."""
    from xiangzhi.people import idnumber

    code = text.clean_text(code, field="code", label="合同编号", limit=40)
    category = _choice(
        category, rules.CATEGORY_CHOICES, field_name="category", label="类别（资金/资产/资源）"
    )
    matter = _choice(matter, rules.MATTER_CHOICES, field_name="matter", label="合同事项")
    subject = text.clean_text(subject, field="subject", label="资产或地块", limit=200)
    area_cmu = parse_area(area)
    amount = _fen(amount, field_name="amount", label="金额")
    amount_basis = _choice(
        amount_basis, rules.AMOUNT_BASIS_CHOICES, field_name="amount_basis", label="金额口径"
    )
    counterparty_name = text.clean_text(
        counterparty_name, field="counterparty_name", label="承包（承租）方", limit=100
    )
    counterparty_type = _choice(
        counterparty_type, rules.COUNTERPARTY_TYPE_CHOICES, field_name="counterparty_type", label="承包方类型"
    )
    if not isinstance(counterparty_is_member, bool):
        raise ValidationFailed("请选择承包方是否为本集体经济组织成员。", field="counterparty_is_member")
    id_number = ""
    if counterparty_id_number not in (None, ""):
        if counterparty_type != rules.INDIVIDUAL:
            raise ValidationFailed("承包方是单位时不填身份证号。", field="counterparty_id_number")
        try:
            id_number = idnumber.validate(counterparty_id_number)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field="counterparty_id_number") from None
    starts_on = _date(starts_on, field_name="starts_on", label="起始日")
    ends_on = _date(ends_on, field_name="ends_on", label="截止日")
    if ends_on < starts_on:
        raise ValidationFailed(
            f"截止日（{ends_on:%Y-%m-%d}）早于起始日（{starts_on:%Y-%m-%d}），请核对合同期限。",
            field="ends_on",
        )
    if ends_on > rules.add_years(starts_on, MAX_TERM_YEARS):
        raise ValidationFailed(f"合同期限超过 {MAX_TERM_YEARS} 年，请核对日期。", field="ends_on")
    if not isinstance(has_written_contract, bool):
        raise ValidationFailed("请选择是否有书面合同。", field="has_written_contract")
    resolution = resolution_check(resolution_id, village)
    instalments = schedule_clean(schedule, starts_on=starts_on, ends_on=ends_on)
    note = text.clean_text(note, field="note", label="备注", limit=2000, required=False)
    return ContractInput(
        code=code,
        category=category,
        matter=matter,
        subject=subject,
        area_cmu=area_cmu,
        amount=amount,
        amount_basis=amount_basis,
        counterparty_name=counterparty_name,
        counterparty_type=counterparty_type,
        counterparty_is_member=counterparty_is_member,
        counterparty_id_number=id_number,
        starts_on=starts_on,
        ends_on=ends_on,
        has_written_contract=has_written_contract,
        resolution=resolution,
        schedule=instalments,
        note=note,
    )


def schedule_clean(schedule, *, starts_on: dt.date, ends_on: dt.date) -> list[tuple[dt.date, int]]:
    """The payment schedule: (due date, amount in 分) pairs, each date once, within the term (a year's prepayment
    before the start allowed), amounts above 0."""
    out: dict[dt.date, int] = {}
    schedule = list(schedule or ())
    if len(schedule) > MAX_INSTALMENTS:
        raise ValidationFailed(f"付款计划最多 {MAX_INSTALMENTS} 期。", field="schedule")
    earliest = starts_on - dt.timedelta(days=366)
    for n, (due_on, amount) in enumerate(schedule, start=1):
        due_on = _date(due_on, field_name="schedule", label=f"第 {n} 期应付日期")
        amount = _fen(amount, field_name="schedule", label=f"第 {n} 期金额", positive=True)
        if due_on in out:
            raise ValidationFailed(
                f"付款计划中 {due_on:%Y-%m-%d} 出现了两次，请合并为一期。", field="schedule"
            )
        if not earliest <= due_on <= ends_on:
            raise ValidationFailed(
                f"第 {n} 期应付日期 {due_on:%Y-%m-%d} 不在合同期限内（可提前一年预收）。", field="schedule"
            )
        out[due_on] = amount
    return sorted(out.items())


def parse_schedule(text_value: str) -> list[tuple[dt.date, int]]:
    """A schedule typed one instalment a line: "2026-03-01 5000" or "2026-03-01，5,000.00元" (amount in 元)."""
    from xiangzhi.core.money import yuan_to_fen

    out = []
    for n, line in enumerate((text_value or "").splitlines(), start=1):
        line = line.strip().replace("，", " ").replace(",", "").replace("\t", " ")
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValidationFailed(f"付款计划第 {n} 行应为“日期 金额”，如：2026-03-01 5000", field="schedule")
        try:
            due_on = dt.date.fromisoformat(parts[0].replace("/", "-"))
        except ValueError:
            raise ValidationFailed(f"付款计划第 {n} 行的日期“{parts[0]}”无效。", field="schedule") from None
        try:
            fen = yuan_to_fen(parts[1])
        except ValidationFailed as exc:
            raise ValidationFailed(f"付款计划第 {n} 行：{exc.message}", field="schedule") from None
        if fen <= 0:
            raise ValidationFailed(f"付款计划第 {n} 行的金额须大于 0。", field="schedule")
        out.append((due_on, fen))
    return out


def schedule_text(contract: Contract) -> str:
    return "\n".join(
        f"{i.due_on:%Y-%m-%d} {fen_to_yuan(i.amount).replace(',', '')}" for i in contract.instalments.all()
    )


def _write_schedule(contract: Contract, schedule) -> None:
    Instalment.objects.bulk_create(
        [
            Instalment(contract=contract, region_code=contract.region_code, due_on=d, amount=a)
            for d, a in schedule
        ]
    )


def _apply(contract: Contract, data: ContractInput) -> None:
    for name in (
        "code",
        "category",
        "matter",
        "subject",
        "area_cmu",
        "amount",
        "amount_basis",
        "counterparty_name",
        "counterparty_type",
        "counterparty_is_member",
        "counterparty_id_number",
        "starts_on",
        "ends_on",
        "has_written_contract",
        "resolution",
        "note",
    ):
        setattr(contract, name, getattr(data, name))
    contract.lease_limit_on = rules.lease_limit(data.starts_on)


def _code_taken(village: Region, code: str, *, exclude=None) -> bool:
    qs = Contract.objects.filter(region=village, code=code)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.exists()


def _duplicate(code: str) -> Conflict:
    return Conflict(f"合同编号“{code}”在本村已存在，请换一个编号。", field="code")


def contract_create(*, user, village: Region, **fields) -> Contract:
    """Record a contract of the village's collective, with its payment schedule."""
    village = _village(village)
    policy.require(user, "assets.manage", village)
    data = contract_clean(village=village, **fields)
    if _code_taken(village, data.code):
        raise _duplicate(data.code)
    return _create(user, village, data)


def _create(user, village: Region, data: ContractInput) -> Contract:
    now = clock.now()
    try:
        with transaction.atomic():
            contract = Contract(
                region=village,
                region_code=village.code,
                created_by=user if getattr(user, "pk", None) else None,
                created_at=now,
                updated_at=now,
            )
            _apply(contract, data)
            contract.save()
            _write_schedule(contract, data.schedule)
            record("assets.contract_created", contract, actor=user, changes=data.audit())
    except IntegrityError:
        raise _duplicate(data.code) from None
    return contract


def contract_update(*, user, contract: Contract, **fields) -> Contract:
    """Change a contract; the payment schedule given replaces the old one (payments received stay)."""
    policy.require(user, "assets.manage", contract)
    village = contract.region
    keep_id = (
        fields.get("counterparty_id_number") is None
    )  # None: keep the number on file (never shown in full)
    data = contract_clean(
        village=village, **{**fields, "counterparty_id_number": fields.get("counterparty_id_number") or ""}
    )
    if keep_id and data.counterparty_type == rules.INDIVIDUAL:
        data.counterparty_id_number = contract.counterparty_id_number or ""
    if _code_taken(village, data.code, exclude=contract):
        raise _duplicate(data.code)
    try:
        with transaction.atomic():
            locked = Contract.objects.select_for_update().get(pk=contract.pk)
            before = {
                "code": locked.code,
                "area": format_area(locked.area_cmu),
                "amount": locked.amount,
                "starts_on": locked.starts_on.isoformat(),
                "ends_on": locked.ends_on.isoformat(),
                "has_written_contract": locked.has_written_contract,
                "resolution": locked.resolution_id,
            }
            _apply(locked, data)
            locked.updated_at = clock.now()
            locked.save()
            locked.instalments.all().delete()
            _write_schedule(locked, data.schedule)
            after = data.audit()
            changes = {k: [v, after[k]] for k, v in before.items() if after.get(k) != v}
            changes["instalments"] = len(data.schedule)
            record("assets.contract_updated", locked, actor=user, changes=changes)
    except IntegrityError:
        raise _duplicate(data.code) from None
    return locked


def payment_record(
    *, user, contract: Contract, amount, paid_on, receipt_no: str = "", note: str = ""
) -> Payment:
    """Record money received on a contract."""
    policy.require(user, "assets.manage", contract)
    amount = _fen(amount, field_name="amount", label="收款金额", positive=True)
    paid_on = _date(paid_on, field_name="paid_on", label="收款日期")
    if paid_on > clock.today():
        raise ValidationFailed("收款日期不能晚于今天。", field="paid_on")
    if paid_on < contract.starts_on - dt.timedelta(days=366):
        raise ValidationFailed("收款日期早于合同起始日一年以上，请核对。", field="paid_on")
    receipt_no = text.clean_text(receipt_no, field="receipt_no", label="收据号", limit=40, required=False)
    note = text.clean_text(note, field="note", label="备注", limit=200, required=False)
    if (
        receipt_no
        and Payment.objects.filter(region_code=contract.region_code, receipt_no=receipt_no).exists()
    ):
        raise Conflict(f"收据号“{receipt_no}”已登记过，请勿重复登记。", field="receipt_no")
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                contract=contract,
                region_code=contract.region_code,
                paid_on=paid_on,
                amount=amount,
                receipt_no=receipt_no,
                note=note,
                recorded_by=user if getattr(user, "pk", None) else None,
                recorded_at=clock.now(),
            )
            record(
                "assets.payment_recorded",
                contract,
                actor=user,
                changes={"amount": amount, "paid_on": paid_on.isoformat(), "receipt_no": receipt_no},
            )
    except IntegrityError:
        raise Conflict(f"收据号“{receipt_no}”已登记过，请勿重复登记。", field="receipt_no") from None
    return payment


def setting_save(
    *,
    user,
    village: Region,
    land_period_ends_on: dt.date | None = None,
    review_starts_on: dt.date | None = None,
    review_ends_on: dt.date | None = None,
) -> AssetSetting:
    """A village's 二轮延包 period end and its 合同清理 campaign period."""
    village = _village(village)
    policy.require(user, "assets.manage", village)
    if (review_starts_on is None) != (review_ends_on is None):
        raise ValidationFailed("合同清理的开始日和结束日须同时填写。", field="review_ends_on")
    if review_starts_on and review_ends_on < review_starts_on:
        raise ValidationFailed("合同清理的结束日早于开始日。", field="review_ends_on")
    with transaction.atomic():
        setting, _ = AssetSetting.objects.select_for_update().get_or_create(
            region=village, defaults={"region_code": village.code}
        )
        setting.land_period_ends_on = land_period_ends_on
        setting.review_starts_on = review_starts_on
        setting.review_ends_on = review_ends_on
        setting.save()
        record(
            "assets.setting_saved",
            village,
            actor=user,
            region_code=village.code,
            changes={
                "land_period_ends_on": land_period_ends_on and land_period_ends_on.isoformat(),
                "review_starts_on": review_starts_on and review_starts_on.isoformat(),
                "review_ends_on": review_ends_on and review_ends_on.isoformat(),
            },
        )
    return setting


# -- the daily alerts ---------------------------------------------------------------------------------------------

# days before the end at which the managers are told that a contract runs out (the day it enters the window)
EXPIRY_NOTICE_DAYS = (rules.EXPIRY_ALERT_DAYS, 30)


def alerts_notify(*, today: dt.date | None = None) -> int:
    """The daily 三资 alerts, each said once: an instalment that fell due yesterday and is not fully paid (the
    contract is in arrears from today), and a contract that ends in exactly 90 or 30 days. The village's managers
    (村书记, 两委成员, 包村干部 of the village) get one inbox message per village. Returns the messages' count."""
    from django.db.models import Q

    from xiangzhi.accounts.models import RoleAssignment
    from xiangzhi.assets import selectors
    from xiangzhi.core.notify import notify_many

    today = today or clock.today()
    yesterday = today - dt.timedelta(days=1)
    ends = [today + dt.timedelta(days=n) for n in EXPIRY_NOTICE_DAYS]
    fell_due = Contract.objects.filter(instalments__due_on=yesterday).values("pk")
    qs = selectors.with_figures(
        Contract.objects.filter(Q(pk__in=fell_due) | Q(ends_on__in=ends)).select_related("region"), today
    )
    by_village: dict[str, dict] = {}
    for c in qs.order_by("region_code", "code"):
        entry = by_village.setdefault(c.region_code, {"village": c.region, "owing": [], "ending": []})
        if c.ends_on in ends:
            entry["ending"].append(c)
        if c.due_past > c.paid_total and c.instalments.filter(due_on=yesterday).exists():
            entry["owing"].append(c)
    sent = 0
    for code, entry in by_village.items():
        lines = [
            f"{c.code}（{c.subject}）欠款 {fen_to_yuan(selectors.arrears_of(c))} 元" for c in entry["owing"]
        ]
        lines += [f"{c.code}（{c.subject}）将于 {c.ends_on:%Y-%m-%d} 到期" for c in entry["ending"]]
        if not lines:
            continue
        users = [
            a.user
            for a in RoleAssignment.objects.filter(
                region_code=code,
                is_active=True,
                role__in=("village_secretary", "village_committee", "town_staff"),
            ).select_related("user")
        ]
        notify_many(
            users,
            "assets.alert",
            entry["village"],
            title=f"{entry['village'].name}三资合同提醒：{len(lines)} 项",
            body="\n".join(lines),
            url=f"/assets/contracts/?region={code}",
        )
        sent += 1
    return sent
