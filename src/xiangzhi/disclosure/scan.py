"""Reading an attachment for ID and phone numbers before it goes on the public board.

A PDF with a text layer is read with pypdf and searched with the same detector as every notice text
(`xiangzhi.open311.views.NUMBERS`), plus the spaced forms people type in tables (139 1234 5678, 139-1234-5678,
an ID number in groups). A PDF without text (a scan), one that cannot be read (encrypted, broken) and an image
cannot be read by this install (no OCR): the publisher has to confirm them by eye (`attachment_checked`).
"""

import io
import logging
import re

from xiangzhi.open311.views import NUMBERS

logger = logging.getLogger(__name__)

NUMBERS_FOUND, CLEAN, UNREADABLE = "numbers", "clean", "unreadable"
MAX_PAGES = 200
# 139 1234 5678 / 139-1234-5678; an ID number written in groups (6 8 4 or 6 4 4 4)
SPACED = re.compile(
    r"(?<![0-9])(?:1[3-9][0-9][ \-][0-9]{4}[ \-][0-9]{4}"
    r"|[0-9]{6}[ \-][0-9]{8}[ \-][0-9]{3}[0-9Xx]"
    r"|[0-9]{6}[ \-][0-9]{4}[ \-][0-9]{4}[ \-][0-9]{3}[0-9Xx])(?![0-9])"
)


def pdf_text(data: bytes) -> str | None:
    """The text layer of a PDF (None when it cannot be read at all)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return None
        return "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PAGES])
    except Exception:  # a broken PDF is "cannot be read", never a server error
        logger.info("disclosure.pdf_unreadable")
        return None


def has_numbers(text: str) -> bool:
    return bool(NUMBERS.search(text) or SPACED.search(text))


def scan_bytes(data: bytes, content_type: str) -> str:
    if content_type != "application/pdf":
        return UNREADABLE
    text = pdf_text(data)
    if text is None or not text.strip():
        return UNREADABLE
    return NUMBERS_FOUND if has_numbers(text) else CLEAN


def scan_file(private_file) -> str:
    """NUMBERS_FOUND, CLEAN or UNREADABLE for a stored attachment (core.PrivateFile)."""
    with private_file.file.open("rb") as fh:
        data = fh.read()
    return scan_bytes(data, private_file.content_type)
