"""Cases test data, made through the real services."""

import io
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories
from xiangzhi.accounts import services as account_services
from xiangzhi.cases import services
from xiangzhi.core.services import department_create


def photo(name: str = "photo.jpg", *, exif: bool = False) -> SimpleUploadedFile:
    out = io.BytesIO()
    img = Image.new("RGB", (8, 8), (200, 30, 30))
    if exif:
        data = Image.Exif()
        data[0x010F] = "TestCam"  # Make
        data[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}  # GPS latitude
        img.save(out, "JPEG", exif=data)
    else:
        img.save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def villager(village, name: str = "王大爷"):
    from tests.accounts.factories import phone

    user, _code = account_services.villager_account_create(
        resident_or_name=name, phone=phone(), village=village, created_by=None
    )
    return user


def cast(t) -> SimpleNamespace:
    """The four people of the loop and those above them, for township `t` (tests.factories.township)."""
    u = factories.user_with_role
    dept = department_create(town=t.town, name="综合执法队", code="zhifa")
    dept_staff = u("department_staff", t.town, scope_type="department", scope_id=dept.pk)
    return SimpleNamespace(
        villager=villager(t.village_a),
        grid_worker=u("grid_worker", t.grid_a1),
        grid_worker_b=u("grid_worker", t.grid_b1),
        secretary=u("village_secretary", t.village_a),
        secretary_b=u("village_secretary", t.village_b),
        town_leader=u("town_leader", t.town),
        county=u("county_officer", t.county),
        department=dept,
        dept_staff=dept_staff,
    )


def reported(t, c, **kw):
    kw.setdefault("region_code", t.grid_a1.code)
    kw.setdefault("description", "村口垃圾堆放多日，无人清理。")
    case, _ = services.case_report(user=kw.pop("user", c.villager), **kw)
    return case
