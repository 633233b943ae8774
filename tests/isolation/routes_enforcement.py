"""Isolation of the enforcement routes (makers in tests/enforcement/factories.py). Merged into registry.ROUTES.

The viewer is the town leader (党委书记 / 镇长): the town is the level enforcement lives at; a department's own
staff and the 司法所 (which reviews) are checked in tests/enforcement/test_pages.py."""

from tests.isolation.registry import Detail, Exempt, Listing, Post

API_WRITE = "接口写操作（JSON）；越权的检查、决定返回 404 且不写入，见 tests/enforcement/test_api.py"
# records belong to a village or the town, not a grid: the region filter is tried with the town's code
TOWN = {"region": ("town",)}
LIST_FILTERS = {**TOWN, "q": ("marker",)}


def _ef():
    from tests.enforcement import factories

    return factories


def _renamed(made, **names):
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def _today() -> str:
    from xiangzhi.core import clock

    return clock.today().isoformat()


def _create_form(grid):
    """The inspection form offers the viewer's departments: the marker is the department's name."""
    from xiangzhi.regions.models import Region

    town = Region.objects.get(code=grid.code[:9])
    dept = _ef().department(town, code="zhifa", name=f"综合行政执法队{town.code}")
    return {"_department": dept.pk, "_village": grid.code[:12], "_subject": f"当事单位{grid.code}"}, dept.name


def _inspection_form(k):
    return {
        "department": k["_department"],
        "village": k["_village"],
        "date": _today(),
        "place": "村口",
        "inspectors": "李执法、王执法",
        "subject_kind": "organisation",
        "subject_name": k["_subject"],
        "findings": "现场检查。",
    }


def inspection_created(response, k):
    from xiangzhi.enforcement.models import Inspection

    assert response.status_code == 302, response.status_code
    assert Inspection.objects.filter(subject_name=k["_subject"], department_id=k["_department"]).exists()


def note_added(response, k):
    from xiangzhi.enforcement.models import Entry

    assert response.status_code == 302, response.status_code
    assert Entry.objects.filter(inspection_id=k["pk"], action="note", note="送达通知书。").exists()


def _upload(k):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), (9, 9, 9)).save(out, "PNG")
    return {"label": "现场照片", "file": SimpleUploadedFile("现场.png", out.getvalue())}


def attachment_added(response, k):
    from xiangzhi.enforcement.models import Attachment

    assert response.status_code == 302, response.status_code
    att = Attachment.objects.get(inspection_id=k["pk"])
    att.file.file.storage.delete(att.file.file.name)


def proposed(response, k):
    from xiangzhi.enforcement.models import Decision

    assert response.status_code == 302, response.status_code
    assert Decision.objects.get(inspection_id=k["pk"]).amount_fen == 50000


def decided(response, k):
    from xiangzhi.enforcement.models import Decision

    assert response.status_code == 302, response.status_code
    assert Decision.objects.get(pk=k["pk"]).state == Decision.DECIDED


def withdrawn(response, k):
    from xiangzhi.enforcement.models import Decision

    assert response.status_code == 302, response.status_code
    assert Decision.objects.get(pk=k["pk"]).state == Decision.WITHDRAWN


def published(response, k):
    from xiangzhi.enforcement.models import Decision

    assert response.status_code == 302, response.status_code
    d = Decision.objects.get(pk=k["pk"])
    assert d.published_on is not None and d.notice.region_code == d.region_code[:9]


ROUTES = {
    "enforcement:list": Listing("town_leader", lambda g: _ef().make_inspection(g), filters=LIST_FILTERS),
    "enforcement:export": Listing("town_leader", lambda g: _ef().make_inspection(g), filters=TOWN),
    "enforcement:inspection_create": Listing(
        "town_leader", _create_form, post=Post(data=_inspection_form, ok=inspection_created)
    ),
    "enforcement:overdue": Listing("town_leader", lambda g: _ef().make_overdue(g), filters=TOWN),
    "enforcement:figures": Listing("town_leader", lambda g: _ef().town_named(g), filters={"town": ("town",)}),
    "enforcement:detail": Detail(
        "town_leader",
        lambda g: _ef().make_inspection(g),
        post=Post(data={"note": "送达通知书。"}, ok=note_added),
    ),
    "enforcement:attachment_add": Detail(
        "town_leader", lambda g: _ef().make_inspection(g), post=Post(data=_upload, ok=attachment_added)
    ),
    "enforcement:decision_propose": Detail(
        "town_leader",
        lambda g: _ef().make_inspection(g),
        post=Post(
            data={"kind": "fine", "amount": "500", "legal_basis": "依据", "facts": "事实"}, ok=proposed
        ),
    ),
    "enforcement:decision_review": Exempt(
        "法制审核只由司法所的部门工作人员进行；本乡镇的审核人员审核通过、他乡镇的审核人员得到 404 且不写入，"
        "见 tests/enforcement/test_pages.py"
    ),
    "enforcement:decision_make": Detail(
        "town_leader",
        lambda g: _ef().make_draft(g),
        post=Post(
            data=lambda k: {"case_number": f"罚〔2026〕{k['pk']}号", "decided_on": _today()}, ok=decided
        ),
    ),
    "enforcement:decision_withdraw": Detail(
        "town_leader", lambda g: _ef().make_draft(g), post=Post(data={"reason": "金额有误。"}, ok=withdrawn)
    ),
    "enforcement:decision_publish": Detail(
        "town_leader", lambda g: _ef().make_decided(g), post=Post(ok=published)
    ),
    # API
    "api:enforcement_inspection_list": Listing(
        "town_leader", lambda g: _ef().make_inspection(g), api=True, filters=LIST_FILTERS
    ),
    "api:enforcement_inspection_detail": Detail(
        "town_leader", lambda g: _renamed(_ef().make_inspection(g), inspection_id="pk"), api=True
    ),
    "api:enforcement_overdue": Listing(
        "town_leader", lambda g: _ef().make_overdue(g), api=True, filters=TOWN
    ),
    "api:enforcement_figures": Exempt(
        "只返回计数；越权的乡镇返回 404，部门工作人员只计本部门，见 tests/enforcement/test_api.py"
    ),
    "api:enforcement_inspection_create": Exempt(API_WRITE),
    "api:enforcement_decision_propose": Exempt(API_WRITE),
    "api:enforcement_decision_review": Exempt(API_WRITE),
    "api:enforcement_decision_make": Exempt(API_WRITE),
    "api:enforcement_decision_publish": Exempt(API_WRITE),
}
