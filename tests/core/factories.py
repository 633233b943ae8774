"""Makers for the every-route isolation test (tests/isolation/registry.py)."""

import atexit
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xiangzhi.core.files import file_store


def make_private_file(grid):
    """A small PNG kept for `grid`; its bytes are removed from storage when the test process ends."""
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (10, 20, 30)).save(out, "PNG")
    pf = file_store(
        upload=SimpleUploadedFile(f"{grid.code}.png", out.getvalue()),
        purpose="isolation",
        region_code=grid.code,
        user=None,
    )
    atexit.register(pf.file.storage.delete, pf.file.name)
    return {"pk": pf.pk}, pf.original_name


def make_department(grid):
    """A department of the grid's town, named after the grid so that each world's two are told apart."""
    from xiangzhi.core.models import Department
    from xiangzhi.core.services import department_create
    from xiangzhi.regions.models import Region

    town = Region.objects.get(code=grid.code[:9])
    name = f"司法所{grid.code}"
    dept = Department.objects.filter(town=town, name=name).first()  # one world may ask twice
    if dept is None:
        dept = department_create(town=town, name=name, code="justice")
    return {"pk": dept.pk}, dept.name


def town_of(grid):
    """For the department pages that list towns: the grid's town name is the marker."""
    from xiangzhi.regions.models import Region

    return {}, Region.objects.get(code=grid.code[:9]).name


def make_department_with_candidate(grid):
    """A department (see make_department) and a staff account of its town not yet on its staff: `_user`."""
    from tests import factories

    kwargs, marker = make_department(grid)
    user = factories.user_with_role("town_staff", region_of(grid.code[:12]))
    return {**kwargs, "_user": user.pk}, marker


def region_of(code):
    from xiangzhi.regions.models import Region

    return Region.objects.get(code=code)
