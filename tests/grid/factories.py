"""Grid work test data, made through the real services."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories
from tests.people import factories as people
from xiangzhi.grid import services


def photo(name: str = "photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def worker(grid, *more_grids, role: str = "grid_worker", full_name: str = ""):
    from xiangzhi.accounts import services as account_services

    user = factories.user_with_role(role, grid)
    for g in more_grids:
        account_services.role_grant(user=user, role=role, region=g)
    if full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    return user


def patrol(grid, *, user=None, notes: str = "巡查正常", **kw):
    p, _ = services.patrol_record(user=user or worker(grid), grid=grid, notes=notes, **kw)
    return p


def visit(household, *, user=None, purpose: str = "routine", **kw):
    from xiangzhi.regions.models import Region

    if user is None:
        user = worker(Region.objects.get(code=household.region_code))
    return services.visit_record(user=user, household=household, purpose=purpose, **kw)


# -- makers for tests/isolation/routes_grid.py: make(grid) -> (url kwargs, marker text) ------------------------


def _marker(grid, what: str) -> str:
    return f"{what}{grid.code}"


def make_patrol(grid):
    p = patrol(grid, notes=_marker(grid, "巡查"))
    return {"pk": p.pk}, _marker(grid, "巡查")


def make_listed_patrol(grid):
    patrol(grid, notes=_marker(grid, "巡查"))
    return {}, _marker(grid, "巡查")


def make_visit(grid):
    h = people.household(grid, head_name=_marker(grid, "户主"))
    v = visit(h, notes="走访正常")
    return {"pk": v.pk}, _marker(grid, "户主")


def make_listed_visit(grid):
    return {}, make_visit(grid)[1]


def make_follow_up(grid):
    import datetime as dt

    from xiangzhi.core import clock

    h = people.household(grid, head_name=_marker(grid, "户主"))
    visit(h, needs="屋顶漏雨", follow_up_due=clock.today() + dt.timedelta(days=3))
    return {}, _marker(grid, "户主")


def make_unvisited(grid):
    """A household nobody visited: listed on the coverage page (and its export) under 未走访."""
    people.household(grid, head_name=_marker(grid, "户主"))
    return {}, _marker(grid, "户主")


def make_household_to_visit(grid):
    h = people.household(grid, head_name=_marker(grid, "户主"))
    return {"_household": h.pk}, _marker(grid, "户主")


def make_grid_to_patrol(grid):
    return {"_grid": grid.code}, grid.name
