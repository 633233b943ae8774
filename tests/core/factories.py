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
