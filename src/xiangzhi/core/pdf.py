"""PDFs in Chinese, rendered on demand with reportlab.

A CJK TrueType font is embedded when one is installed (settings.PDF_CJK_FONT, else Debian's fonts-wqy-zenhei,
fonts-wqy-microhei, fonts-arphic), so the page shows the same glyphs on every viewer. Without one it falls back to
reportlab's STSong-Light CID font, which is *not* embedded: viewers lacking a CJK font then show boxes. CI
installs fonts-wqy-zenhei. OpenType/CFF fonts (the .ttc files of fonts-noto-cjk) cannot be embedded by reportlab:
they are tried and skipped.

`render_document(title=..., paragraphs=..., table=...)` covers the simple case (notices, agreements, passbooks);
`build_pdf(flowables, title=...)` with `styles()` and `font_name()` lets a module lay out its own document.
"""

import io
import logging
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

logger = logging.getLogger(__name__)

EMBEDDED_FONT = "XZ-CJK"
FALLBACK_FONT = "STSong-Light"
CANDIDATE_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
]


@lru_cache(maxsize=1)
def font_name() -> str:
    """Register the CJK font once and return its name: the embedded TrueType font, else the CID fallback."""
    candidates = [p for p in [getattr(settings, "PDF_CJK_FONT", None), *CANDIDATE_FONTS] if p]
    for path in candidates:
        if not os.path.exists(path):
            continue
        try:
            font = (
                TTFont(EMBEDDED_FONT, path, subfontIndex=0)
                if path.endswith(".ttc")
                else TTFont(EMBEDDED_FONT, path)
            )
            pdfmetrics.registerFont(font)
        except (TTFError, OSError, KeyError, AssertionError) as exc:
            logger.info("pdf.font_skipped", extra={"path": path, "reason": str(exc)[:200]})
            continue
        return EMBEDDED_FONT
    logger.warning("pdf.no_cjk_font: falling back to the non-embedded %s", FALLBACK_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def is_embedded() -> bool:
    return font_name() == EMBEDDED_FONT


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles in the CJK font, with CJK line breaking."""
    font = font_name()
    body = ParagraphStyle("xz-body", fontName=font, fontSize=12, leading=19, wordWrap="CJK", spaceAfter=6)
    return {
        "title": ParagraphStyle(
            "xz-title", parent=body, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=12
        ),
        "heading": ParagraphStyle("xz-heading", parent=body, fontSize=14, leading=21, spaceBefore=6),
        "body": body,
        "cell": ParagraphStyle("xz-cell", parent=body, fontSize=10.5, leading=15, spaceAfter=0),
        "small": ParagraphStyle("xz-small", parent=body, fontSize=9, leading=13, textColor=colors.grey),
    }


def escape(text: str) -> str:
    """Paragraph text is a small markup language: escape what a user typed."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def table(rows: Sequence[Sequence[object]], *, header: bool = True, col_widths=None) -> Table:
    """A bordered table whose cells wrap Chinese text; the first row is the header when `header`."""
    st = styles()
    data = [[Paragraph(escape("" if v is None else v), st["cell"]) for v in row] for row in rows]
    tbl = Table(data, colWidths=col_widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header and rows:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    tbl.setStyle(TableStyle(commands))
    return tbl


def build_pdf(flowables: Iterable[Flowable], *, title: str, author: str = "乡治") -> bytes:
    """Lay out `flowables` on A4 and return the PDF bytes."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        creator="乡治",
    )
    font = font_name()

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    doc.build(list(flowables), onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def render_document(
    *,
    title: str,
    paragraphs: Iterable[str] = (),
    table_rows: Sequence[Sequence[object]] | None = None,
    subtitle: str = "",
    footer_lines: Iterable[str] = (),
) -> bytes:
    """A simple document: a title, paragraphs of plain text, an optional table (first row = header) and lines
    after it (signatures, dates). All text is escaped: pass what users typed as it is."""
    st = styles()
    parts: list[Flowable] = [Paragraph(escape(title), st["title"])]
    if subtitle:
        parts.append(Paragraph(escape(subtitle), st["small"]))
    parts += [Paragraph(escape(p), st["body"]) for p in paragraphs]
    if table_rows:
        parts += [Spacer(1, 4 * mm), table(table_rows)]
    lines = list(footer_lines)
    if lines:
        parts.append(Spacer(1, 8 * mm))
        parts += [Paragraph(escape(line), st["body"]) for line in lines]
    return build_pdf(parts, title=title)
