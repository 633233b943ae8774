import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from tests.core.clients import signed_in
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.files import file_store
from xiangzhi.core.models import PrivateFile


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


def photo_with_gps(fmt="JPEG", size=(40, 20), orientation=6) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    img.paste((0, 0, 255), (0, 0, 8, 8))  # a blue marker block in the top-left corner
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "VillagePhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (36.0, 5.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (110.0, 49.0, 30.0)
    out = io.BytesIO()
    img.save(out, fmt, exif=exif)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt,ext", [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_all_metadata_is_stripped_and_orientation_applied(township, fmt, ext):
    raw = photo_with_gps(fmt)
    with Image.open(io.BytesIO(raw)) as before:
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload does carry GPS
    pf = file_store(
        upload=upload(raw, f"现场.{ext}"), purpose="case_photo", region_code=township.grid_a1.code, user=None
    )
    with pf.file.open("rb") as fh:
        stored = fh.read()
    with Image.open(io.BytesIO(stored)) as after:
        assert after.format == fmt
        assert dict(after.getexif()) == {}
        assert "exif" not in after.info and "icc_profile" not in after.info and "xmp" not in after.info
        assert after.size == (20, 40)  # orientation 6 rotated the 40x20 picture upright
        assert after.convert("RGB").getpixel((16, 3))[2] > 200  # the marker turned to the top-right
    assert b"VillagePhone" not in stored and b"GPS" not in stored
    assert (pf.original_name, pf.size, pf.purpose) == (f"现场.{ext}", len(stored), "case_photo")
    assert not pf.file.name.endswith(f"现场.{ext}")  # stored under a random name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,name",
    [
        (b"GIF89a" + b"\x00" * 50, "fake.jpg"),
        (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "broken.jpg"),
        (b"<?php echo 1; ?>", "shell.jpg"),
        (b"PK\x03\x04" + b"\x00" * 40, "fake.xlsx"),
        (b"hello", "notes.pdf"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(township, data, name):
    with pytest.raises(ValidationFailed):
        file_store(
            upload=upload(data, name), purpose="case_photo", region_code=township.grid_a1.code, user=None
        )
    assert PrivateFile.objects.count() == 0


@pytest.mark.django_db
def test_pdf_and_xlsx_are_kept_as_they_are(township):
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    a = file_store(
        upload=upload(pdf, "协议.pdf"), purpose="attachment", region_code=township.village_a.code, user=None
    )
    b = file_store(upload=upload(xlsx_bytes(), "台账.xlsx"), purpose="import", region_code="", user=None)
    assert (a.content_type, b.content_type) == (
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    with a.file.open("rb") as fh:
        assert fh.read() == pdf
    assert AuditRecord.objects.filter(action="files.stored").count() == 2


@pytest.mark.django_db
def test_allowed_kinds_narrow_what_a_caller_takes(township):
    with pytest.raises(ValidationFailed, match="只接受图片"):
        file_store(
            upload=upload(b"%PDF-1.4\n", "a.pdf"),
            purpose="case_photo",
            region_code=township.grid_a1.code,
            user=None,
            allowed={"image"},
        )


@pytest.mark.django_db
def test_size_cap_boundary(township, settings):
    pdf = b"%PDF-1.4\n" + b"0" * 991  # exactly 1000 bytes
    settings.PRIVATE_FILE_MAX_BYTES = 1000
    file_store(upload=upload(pdf, "a.pdf"), purpose="attachment", region_code="", user=None)
    with pytest.raises(ValidationFailed, match="文件过大"):
        file_store(upload=upload(pdf + b"0", "b.pdf"), purpose="attachment", region_code="", user=None)


@pytest.mark.django_db
def test_file_view_serves_only_within_scope(township, make_user):
    own = file_store(
        upload=upload(photo_with_gps(), "a.jpg"),
        purpose="case_photo",
        region_code=township.grid_a1.code,
        user=None,
    )
    other = file_store(
        upload=upload(photo_with_gps(), "b.jpg"),
        purpose="case_photo",
        region_code=township.grid_b1.code,
        user=None,
    )
    secretary = make_user("village_secretary", township.village_a)
    client = signed_in(secretary)
    ok = client.get(f"/files/{own.pk}/")
    assert ok.status_code == 200
    assert ok["Content-Type"] == "image/jpeg"
    assert ok["Cache-Control"] == "private, no-store"
    with own.file.open("rb") as fh:
        assert b"".join(ok.streaming_content) == fh.read()
    denied_before = AuditRecord.objects.filter(result="denied").count()
    assert client.get(f"/files/{other.pk}/").status_code == 404
    assert client.get("/files/999999/").status_code == 404
    refusal = AuditRecord.objects.filter(result="denied").order_by("-id").first()
    assert AuditRecord.objects.filter(result="denied").count() == denied_before + 1
    assert (refusal.action, refusal.object_id, refusal.region_code) == (
        "files.view",
        str(other.pk),
        township.grid_b1.code,
    )
    villager = make_user("villager", township.village_a)
    assert signed_in(villager).get(f"/files/{own.pk}/").status_code == 404  # staff only
    assert client.logout() is None
    assert client.get(f"/files/{own.pk}/").status_code == 302  # to the login page
