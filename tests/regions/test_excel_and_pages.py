import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tests.core.clients import signed_in
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.regions import selectors
from xiangzhi.regions.models import Region
from xiangzhi.regions.services import ImportFailed, region_import


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def sheet(*rows, header=("区划代码", "名称", "上级代码")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_creates_children_listed_before_their_parents(township):
    data = sheet(
        ("141029201203001", "东沟村第一网格", "141029201203"),
        ("141029201203", "东沟村", "141029201"),
        (141029201203002, "东沟村第二网格", 141029201203),  # typed as numbers
        (None, None, None),  # blank rows are skipped
    )
    report = region_import(data=data)
    assert (report.created, report.unchanged) == (3, 0)
    assert Region.objects.get(code="141029201203002").parent.code == "141029201203"
    assert AuditRecord.objects.filter(action="regions.imported").get().changes == {
        "created": 3,
        "unchanged": 0,
    }


@pytest.mark.django_db
def test_import_is_all_or_nothing_with_row_errors(township):
    data = sheet(
        ("141029201203", "东沟村", "141029201"),  # fine on its own
        ("14102920120", "坏代码", "141029201"),  # row 3: wrong length
        ("141029201204", "", "141029201"),  # row 4: no name
        ("141029201205", "西沟村", "141029999"),  # row 5: parent missing
        ("141029201203", "东沟村", "141029201"),  # row 6: duplicate of row 2
        ("141029201201", "改名村", "141029201"),  # row 7: exists with another name
        ("141029202206", "错位村", "141029201"),  # row 8: parent does not match the code
    )
    with pytest.raises(ImportFailed) as exc:
        region_import(data=data)
    errors = dict(exc.value.errors)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "长度" in errors[3]
    assert "名称" in errors[4]
    assert "上级代码 141029999 不存在" in errors[5]
    assert "第 2 行重复" in errors[6]
    assert "已存在" in errors[7]
    assert "141029202" in errors[8]
    assert not Region.objects.filter(code="141029201203").exists()  # row 2 was rolled back too
    assert not AuditRecord.objects.filter(action__in=["regions.imported"]).exists()


@pytest.mark.django_db
def test_export_then_import_round_trip_is_unchanged(township, make_user):
    leader = make_user("town_leader", township.town)
    data, rows = selectors.region_export_xlsx(user=leader)
    ws = load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == ["区划代码", "名称", "上级代码"]
    assert values[1] == [
        "141029201",
        "尉庄乡",
        "141029",
    ]  # scoped: the county row is outside a town leader's reach
    assert rows == len(values) - 1 == 6
    assert ws["A2"].number_format == "@"
    report = region_import(data=data, user=leader)
    assert (report.created, report.unchanged) == (0, 6)


@pytest.mark.django_db
def test_import_refuses_rows_outside_the_users_reach(township, make_user):
    leader = make_user("town_leader", township.town)
    with pytest.raises(ImportFailed) as exc:
        region_import(data=sheet(("141029202", "关王庙乡", "141029")), user=leader)
    assert exc.value.errors == [(2, "区划代码 141029202 不在您的管辖范围内。")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,message",
    [(b"not excel", "无法读取"), (sheet(header=("代码", "名称", "上级")), "表头"), (sheet(), "没有数据")],
)
def test_import_refuses_bad_files(data, message):
    with pytest.raises(ValidationFailed, match=message):
        region_import(data=data)


@pytest.mark.django_db
def test_list_is_scoped_searchable_and_paginated(township, make_user):
    from xiangzhi.regions.services import region_create

    for n in range(3, 60):
        region_create(code=f"141029201201{n:03d}", name=f"南山村网格{n:02d}", parent=township.village_a)
    client = signed_in(make_user("village_secretary", township.village_a))
    page1 = client.get("/regions/").content.decode()
    assert "南山村第一网格" in page1 and "北坡村" not in page1
    assert "第 1 / 2 页，共 60 个" in page1  # the village, its 2 grids and 57 more; 50 a page
    assert "南山村网格59" in client.get("/regions/?page=2").content.decode()
    found = client.get("/regions/?q=第二").content.decode()
    assert "南山村第二网格" in found and "南山村第一网格" not in found
    by_code = client.get("/regions/?q=141029201201002").content.decode()
    assert "南山村第二网格" in by_code and "南山村第一网格" not in by_code
    grids_only = client.get("/regions/?level=village").content.decode()
    assert "南山村" in grids_only and "南山村第一网格" not in grids_only


@pytest.mark.django_db
def test_detail_shows_children_and_counts_and_refuses_out_of_scope(township, make_user):
    client = signed_in(make_user("village_secretary", township.village_a))
    page = client.get(f"/regions/{township.village_a.code}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "南山村第一网格" in body and "南山村第二网格" in body
    assert "2 个" in body and "0 户" in body
    denied = AuditRecord.objects.filter(result="denied").count()
    assert client.get(f"/regions/{township.village_b.code}/").status_code == 404
    assert AuditRecord.objects.filter(result="denied").count() == denied + 1


@pytest.mark.django_db
def test_export_and_import_pages(township, make_user):
    secretary = signed_in(make_user("village_secretary", township.village_a))
    resp = secretary.get(f"/regions/export.xlsx?within={township.village_a.code}")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    codes = [
        r[0] for r in load_workbook(io.BytesIO(resp.content)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert codes == ["141029201201", "141029201201001", "141029201201002"]
    assert (
        secretary.get("/regions/import/").status_code == 403
    )  # a village secretary does not change the tree

    leader = signed_in(make_user("town_leader", township.town))
    good = SimpleUploadedFile("regions.xlsx", sheet(("141029201203", "东沟村", "141029201")))
    ok = leader.post("/regions/import/", {"file": good})
    assert ok.status_code == 200 and "新增 1 个" in ok.content.decode()
    bad = SimpleUploadedFile(
        "regions.xlsx", sheet(("141029201", "尉庄乡", "141029"), ("1410292012", "坏", ""))
    )
    refused = leader.post("/regions/import/", {"file": bad})
    assert refused.status_code == 422 and "第 3 行" in refused.content.decode()
    fake = SimpleUploadedFile("regions.xlsx", b"%PDF-1.4 not a sheet")
    assert "文件类型不符" in leader.post("/regions/import/", {"file": fake}).content.decode()
