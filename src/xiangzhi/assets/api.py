"""三资 over the API (/api/v1/assets/): the same selectors, services and policy as the pages.

Money is in 分 (integers), areas in 亩 as decimal strings ("624.16", never floats). A refused write answers 422 or
409 with the service's Chinese message and writes nothing."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, ErrorOut, paginate
from xiangzhi.assets import excel, rules, selectors, services
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.regions.models import Region

router = Router(tags=["三资管理"])

MAX_ID = 2**62


class InstalmentIO(Schema):
    due_on: dt.date
    amount: int = Field(..., strict=True, le=services.MAX_AMOUNT, description="应付金额（分）")


class ContractIn(Schema):
    village: str = Field(..., pattern=r"^\d{12}$", description="村的区划代码（12 位）")
    code: str = Field(..., max_length=40)
    category: str = Field(..., description="funds 资金 / assets 资产 / resources 资源")
    matter: str = Field(..., description="land / construction_land / lease / other")
    subject: str = Field(..., max_length=200, description="资产或地块")
    area: str = Field("0", max_length=20, description='面积（亩），最多两位小数，如 "12.35"')
    amount: int = Field(..., strict=True, le=services.MAX_AMOUNT, description="金额（分）")
    amount_basis: str = Field(rules.PER_YEAR, description="per_year 每年 / total 合同总额")
    counterparty_name: str = Field(..., max_length=100)
    counterparty_type: str = Field(rules.INDIVIDUAL, description="individual 个人 / organisation 单位")
    counterparty_is_member: bool = Field(..., strict=True, description="是否本集体经济组织成员")
    counterparty_id_number: str = Field(
        "", max_length=30, description="个人的身份证号（加密保存，只返回后四位）"
    )
    starts_on: dt.date
    ends_on: dt.date
    has_written_contract: bool = Field(..., strict=True)
    resolution_id: int | None = Field(None, strict=True, ge=1, le=MAX_ID, description="批准决议（议题）编号")
    schedule: list[InstalmentIO] = Field(default_factory=list, max_length=services.MAX_INSTALMENTS)
    note: str = Field("", max_length=2000)


class CheckOut(Schema):
    code: str
    label: str
    law: str


class ContractOut(Schema):
    id: int
    village: str
    village_name: str
    code: str
    category: str
    matter: str
    subject: str
    area: str = Field(description="面积（亩）")
    amount: int = Field(description="金额（分）")
    amount_basis: str
    counterparty_name: str
    counterparty_type: str
    counterparty_is_member: bool
    counterparty_id_number_masked: str
    starts_on: dt.date
    ends_on: dt.date
    has_written_contract: bool
    resolution_id: int | None
    due_past: int = Field(description="已到期应收（分）")
    paid_total: int = Field(description="已收（分）")
    arrears: int = Field(description="欠款（分）")
    problems: list[CheckOut]

    @staticmethod
    def resolve_village(obj):
        return obj.region_code

    @staticmethod
    def resolve_village_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_area(obj):
        return services.format_area(obj.area_cmu)

    @staticmethod
    def resolve_counterparty_id_number_masked(obj):
        return obj.id_number_masked

    @staticmethod
    def resolve_arrears(obj):
        return selectors.arrears_of(obj)

    @staticmethod
    def resolve_problems(obj):
        return [{"code": c.code, "label": c.label, "law": c.law} for c in selectors.problems_of(obj)]


class PaymentOut(Schema):
    id: int
    paid_on: dt.date
    amount: int = Field(description="金额（分）")
    receipt_no: str
    note: str


class ContractDetailOut(ContractOut):
    note: str
    schedule: list[InstalmentIO]
    payments: list[PaymentOut]

    @staticmethod
    def resolve_schedule(obj):
        return list(obj.instalments.all())

    @staticmethod
    def resolve_payments(obj):
        return selectors.payments_of(obj)


class ContractPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ContractOut]


CHECK_PATTERN = "^(any|" + "|".join(c.code for c in rules.CHECKS) + ")$"


class ContractFilterIn(Schema):
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="乡镇或村的区划代码")
    category: str | None = Field(None, pattern="^(" + "|".join(rules.CATEGORY_LABELS) + ")$")
    matter: str | None = Field(None, pattern="^(" + "|".join(rules.MATTER_LABELS) + ")$")
    problem: str | None = Field(None, pattern=CHECK_PATTERN, description="清理问题；any 为有任一问题")
    expiring_days: int | None = Field(
        None, ge=1, le=rules.MAX_EXPIRY_ALERT_DAYS, description="只看此天数内到期的"
    )
    q: str | None = Field(None, max_length=40)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class PaymentIn(Schema):
    amount: int = Field(..., strict=True, le=services.MAX_AMOUNT, description="金额（分）")
    paid_on: dt.date
    receipt_no: str = Field("", max_length=40)
    note: str = Field("", max_length=200)


class ReportRowOut(Schema):
    code: str
    name: str
    contracts: int
    area: str
    amount_per_year: int
    arrears: int
    recovered: int
    with_problems: int
    problems: dict[str, int]
    review_starts_on: dt.date | None
    review_ends_on: dt.date | None

    @staticmethod
    def resolve_area(obj):
        return services.format_area(obj.area_cmu)


class ReportOut(Schema):
    region: str
    region_name: str
    rows: list[ReportRowOut]
    total: ReportRowOut
    checks: list[CheckOut]


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    created: int
    errors: list[RowErrorOut]


class ImportRefusedOut(ErrorOut):
    errors: list[RowErrorOut] = []


def _full(contract_pk: int, user):
    return selectors.contract_get(user=user, pk=contract_pk)


@router.get("/contracts/", response={200: ContractPage, **ERRORS}, summary="三资合同列表")
def assets_contract_list(request, filters: Query[ContractFilterIn]):
    policy.require(request.auth, "assets.view")
    f = selectors.ContractFilter(
        region=filters.region,
        category=filters.category or "",
        matter=filters.matter or "",
        problem=filters.problem or "",
        expiring=filters.expiring_days is not None,
        days=filters.expiring_days or rules.EXPIRY_ALERT_DAYS,
        q=(filters.q or "").strip(),
    )
    return paginate(selectors.contract_list(user=request.auth, filters=f), filters.page, filters.page_size)


@router.post(
    "/contracts/",
    response={201: ContractDetailOut, **ERRORS},
    summary="登记三资合同",
    description="截止日早于起始日、面积或金额为负、决议不存在/非本村/未通过：422；合同编号在本村已存在：409。均不做任何改动。",
)
def assets_contract_create(request, payload: ContractIn):
    village = Region.objects.filter(code=payload.village, level="village").first()
    if village is None:
        raise ValidationFailed("找不到该村（区划代码）。", field="village")
    data = payload.dict()
    data.pop("village")
    data["schedule"] = [(i["due_on"], i["amount"]) for i in data["schedule"]]
    contract = services.contract_create(user=request.auth, village=village, **data)
    return Status(201, _full(contract.pk, request.auth))


@router.get(
    "/contracts/{int:contract_id}/", response={200: ContractDetailOut, **ERRORS}, summary="三资合同详情"
)
def assets_contract_detail(request, contract_id: int):
    return _full(contract_id, request.auth)


@router.post(
    "/contracts/{int:contract_id}/payments/", response={201: PaymentOut, **ERRORS}, summary="登记收款"
)
def assets_payment_add(request, contract_id: int, payload: PaymentIn):
    contract = selectors.contract_get(user=request.auth, pk=contract_id, action="assets.manage")
    payment = services.payment_record(user=request.auth, contract=contract, **payload.dict())
    return Status(201, payment)


@router.get("/report/", response={200: ReportOut, **ERRORS}, summary="合同清理报告（村或乡镇）")
def assets_report(request, region: str | None = Query(None, pattern=r"^\d{6,18}$")):  # noqa: B008
    rep = selectors.report(user=request.auth, region=region)
    return {
        "region": rep.region_code,
        "region_name": rep.region_name,
        "rows": rep.rows,
        "total": rep.total,
        "checks": [{"code": c.code, "label": c.label, "law": c.law} for c in rep.checks],
    }


IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["village", "file"],
                    "properties": {
                        "village": {"type": "string", "pattern": r"^\d{12}$", "description": "村的区划代码"},
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "三资合同台账（.xlsx）",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/contracts/import/",
    response={201: ImportOut, **ERRORS, 422: ImportRefusedOut},
    summary="从 Excel 导入三资合同（整表导入，有误则全部不导入）",
    openapi_extra=IMPORT_BODY,
)
def assets_contract_import(request):
    policy.require(request.auth, "assets.manage")
    code = (request.POST.get("village") or "").strip()
    upload = request.FILES.get("file")
    village = (
        selectors.villages(user=request.auth, action="assets.manage").filter(code=code).first()
        if code.isdigit()
        else None
    )
    if village is None:
        raise ValidationFailed("请指明导入到您辖区内的哪个村（village）。", field="village")
    if upload is None:
        raise ValidationFailed("请上传 Excel 文件（file）。", field="file")
    result = excel.run_import(user=request.auth, file=upload, village=village)
    if not result.ok:
        return Status(
            422,
            {
                "detail": f"发现 {len(result.errors)} 处问题，本次没有导入任何合同。",
                "code": "validation_failed",
                "field": "file",
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors],
            },
        )
    return Status(201, {"created": result.created, "errors": []})
