"""Attachments are read before publication: a PDF's text layer is searched for ID and phone numbers (refused);
a scanned PDF or an image still needs the publisher's confirmation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.disclosure import factories as df
from tests.disclosure import pdfs
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.models import PrivateFile
from xiangzhi.disclosure import scan, services
from xiangzhi.disclosure.models import Notice

pytestmark = pytest.mark.django_db


def upload(data: bytes, name="附件.pdf"):
    return SimpleUploadedFile(name, data)


def test_the_scanner_reads_real_pdfs():
    assert scan.scan_bytes(pdfs.text_pdf(*pdfs.WITH_PHONE), "application/pdf") == scan.NUMBERS_FOUND
    assert scan.scan_bytes(pdfs.text_pdf(*pdfs.WITH_SPACED_PHONE), "application/pdf") == scan.NUMBERS_FOUND
    assert scan.scan_bytes(pdfs.text_pdf("ID 14102919800101001X"), "application/pdf") == scan.NUMBERS_FOUND
    assert scan.scan_bytes(pdfs.text_pdf(*pdfs.CLEAN), "application/pdf") == scan.CLEAN
    assert scan.scan_bytes(pdfs.image_pdf(), "application/pdf") == scan.UNREADABLE
    assert scan.scan_bytes(b"%PDF-1.4\nbroken", "application/pdf") == scan.UNREADABLE
    assert scan.scan_bytes(pdfs.png(), "image/png") == scan.UNREADABLE


def test_boundaries_of_the_detector():
    # ten digits or a number starting 12 is no mobile number; 11 digits starting 13-19 is
    assert not scan.has_numbers("账号 1391234567 合计")
    assert not scan.has_numbers("编号 12912345678")
    assert scan.has_numbers("电话 19912345678")
    assert not scan.has_numbers("金额 139123456789")  # 12 digits: not a phone number


def test_a_pdf_with_a_phone_number_is_refused_at_drafting_and_nothing_is_kept(township):
    with pytest.raises(ValidationFailed, match="附件中含有身份证号或手机号") as err:
        df.draft(
            township.village_a, attachment=upload(pdfs.text_pdf(*pdfs.WITH_PHONE)), attachment_checked=True
        )
    assert err.value.field == "attachment"
    assert Notice.objects.count() == 0 and PrivateFile.objects.count() == 0


def test_a_clean_text_pdf_publishes_without_confirmation(township):
    n = df.draft(township.village_a, attachment=upload(pdfs.text_pdf(*pdfs.CLEAN)))
    assert not n.attachment_checked
    n = services.notice_publish(user=df.secretary(township.village_a), notice=n)
    assert n.is_published


@pytest.mark.parametrize("data,name", [(pdfs.image_pdf(), "扫描件.pdf"), (pdfs.png(), "照片.png")])
def test_a_scan_or_an_image_needs_the_confirmation(township, data, name):
    sec = df.secretary(township.village_a)
    n = df.draft(township.village_a, attachment=upload(data, name), user=sec)
    with pytest.raises(ValidationFailed, match="扫描件或图片") as err:
        services.notice_publish(user=sec, notice=n)
    assert err.value.field == "attachment_checked"
    n.refresh_from_db()
    assert n.state == Notice.DRAFT and n.published_at is None
    n = services.notice_edit(user=sec, notice=n, title=n.title, body=n.body, attachment_checked=True)
    assert services.notice_publish(user=sec, notice=n).is_published


def test_a_confirmation_does_not_override_a_number_found_in_the_text(township):
    """A draft whose attachment changed on disk under it (or was stored before scanning) is still refused at
    publication, confirmed or not."""
    sec = df.secretary(township.village_a)
    n = df.draft(
        township.village_a, attachment=upload(pdfs.text_pdf(*pdfs.CLEAN)), attachment_checked=True, user=sec
    )
    bad = pdfs.text_pdf(*pdfs.WITH_PHONE)
    with n.attachment.file.open("wb") as fh:
        fh.write(bad)
    with pytest.raises(ValidationFailed, match="附件中含有身份证号或手机号"):
        services.notice_publish(user=sec, notice=n)
    n.refresh_from_db()
    assert n.state == Notice.DRAFT


def test_replacing_a_drafts_attachment_is_scanned_too(township):
    sec = df.secretary(township.village_a)
    n = df.draft(township.village_a, attachment=upload(pdfs.text_pdf(*pdfs.CLEAN)), user=sec)
    first = n.attachment_id
    with pytest.raises(ValidationFailed, match="附件中含有身份证号或手机号"):
        services.notice_edit(
            user=sec,
            notice=n,
            title="新标题",
            body=n.body,
            attachment=upload(pdfs.text_pdf(*pdfs.WITH_PHONE)),
        )
    n.refresh_from_db()
    assert n.attachment_id == first and n.title != "新标题"
    n = services.notice_edit(user=sec, notice=n, title=n.title, body=n.body, remove_attachment=True)
    assert n.attachment_id is None
