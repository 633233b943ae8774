"""Private files: photos, attachments, imports. Kept in the default storage (settings.PRIVATE_FILES_DIR), never under
a public media URL, and served only by core.views.private_file after the policy agrees ("files.view").

`file_store` decides a file's type by its content, never by its name or the browser's word: JPEG, PNG and WebP are
opened with Pillow and re-encoded, which drops every metadata block (EXIF with GPS, XMP, IPTC, comments, ICC
profiles) after applying the EXIF orientation to the pixels; PDFs are recognised by their magic bytes, Excel
workbooks (.xlsx) by their zip signature and the workbook part inside. Everything else is refused.
"""

import hashlib
import io
import os
import uuid
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from xiangzhi.audit.services import record
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.models import PrivateFile

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
PDF = ("application/pdf", "pdf")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel photo; larger is a decompression bomb, not a phone picture
ALLOWED_KINDS = frozenset({"image", "pdf", "xlsx"})


def max_bytes() -> int:
    return int(getattr(settings, "PRIVATE_FILE_MAX_BYTES", 10 * 1024 * 1024))


def _read(upload) -> bytes:
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationFailed(f"文件过大：最大 {limit // (1024 * 1024)} MB。", field="file")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(f"文件过大：最大 {limit // (1024 * 1024)} MB。", field="file")
    if not data:
        raise ValidationFailed("文件是空的。", field="file")
    return data


def _clean_image(data: bytes) -> tuple[bytes, str, str]:
    """Re-encode an image without any of its metadata, orientation applied. Returns (bytes, type, ext)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in IMAGE_FORMATS:
                raise ValidationFailed("只接受 JPEG、PNG、WebP 格式的图片。", field="file")
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise ValidationFailed("图片像素过多，请缩小后再上传。", field="file")
            probe.verify()  # structure check; the image must be reopened after verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            upright = ImageOps.exif_transpose(img)
            if upright.mode == "P":
                upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
            if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            # A fresh image from the raw pixels: no info dict, no EXIF, no XMP, no ICC profile travels over.
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            out = io.BytesIO()
            if fmt == "JPEG":
                clean.save(out, "JPEG", quality=88, optimize=True)
            elif fmt == "PNG":
                clean.save(out, "PNG", optimize=True)
            else:
                clean.save(out, "WEBP", quality=85)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed("图片已损坏或不是图片文件。", field="file") from None
    content_type, ext = IMAGE_FORMATS[fmt]
    return out.getvalue(), content_type, ext


def _is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def sniff(data: bytes) -> str | None:
    """The kind of a file by its first bytes: "image", "pdf", "xlsx" or None."""
    if (
        data[:3] == b"\xff\xd8\xff"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        return "image"
    if data[:5] == b"%PDF-":
        return "pdf"
    if _is_xlsx(data):
        return "xlsx"
    return None


def _safe_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*')
    return (base or "文件")[:200]


@transaction.atomic
def file_store(
    *, upload, purpose: str, region_code: str, user, allowed: frozenset[str] | set[str] = ALLOWED_KINDS
) -> PrivateFile:
    """Check, clean and keep an uploaded file. `allowed` narrows the kinds ("image", "pdf", "xlsx") a caller
    takes: a case photo passes {"image"}. The stored name is random; the original name is kept for downloads."""
    if not purpose or len(purpose) > 32:
        raise ValueError("file_store: purpose must be 1-32 characters")
    data = _read(upload)
    kind = sniff(data)
    if kind is None or kind not in allowed:
        labels = {"image": "图片（JPEG/PNG/WebP）", "pdf": "PDF", "xlsx": "Excel（.xlsx）"}
        accepted = "、".join(labels[k] for k in ("image", "pdf", "xlsx") if k in allowed)
        raise ValidationFailed(f"文件类型不符：只接受{accepted}。", field="file")
    if kind == "image":
        data, content_type, ext = _clean_image(data)
    elif kind == "pdf":
        content_type, ext = PDF
    else:
        content_type, ext = XLSX
    original = _safe_name(getattr(upload, "name", "") or "")
    stem = original.rsplit(".", 1)[0] if "." in original else original
    pf = PrivateFile(
        original_name=f"{stem}.{ext}"[:200],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        purpose=purpose,
        region_code=region_code or "",
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    pf.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    # Should the caller's transaction roll back later, the bytes stay on disk under a random name that no row
    # points to: unreachable, and swept by nothing yet (a small cost next to deleting a file a commit needed).
    try:
        pf.save()
        record(
            "files.stored", pf, changes={"purpose": purpose, "content_type": content_type, "size": pf.size}
        )
    except Exception:
        pf.file.storage.delete(pf.file.name)
        raise
    return pf
