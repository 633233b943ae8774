"""Real PDFs made with reportlab for the attachment scan: with a text layer (a phone number, or clean) and one
that is a picture only (a scan)."""

import io

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas


def text_pdf(*lines: str) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    y = 800
    for line in lines:
        c.drawString(72, y, line)
        y -= 20
    c.showPage()
    c.save()
    return out.getvalue()


def image_pdf() -> bytes:
    """A page holding only a picture (what a scanner makes): no text layer."""
    img = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        img.putpixel((x, 50), (0, 0, 0))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.drawImage(ImageReader(img), 72, 600, width=400, height=200)
    c.showPage()
    c.save()
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PNG")
    return out.getvalue()


WITH_PHONE = ("Village accounts 2026-01", "Contact: 13912345678", "Total: 1200.00")
WITH_SPACED_PHONE = ("Village accounts 2026-01", "Contact: 139 1234 5678")
CLEAN = ("Village accounts 2026-01", "Road repair: 12000.00", "Total: 12000.00")
