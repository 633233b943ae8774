"""红黑榜 as a PDF in Chinese for the 公开栏 (rendered on demand, never stored): the village, the period, the rules
(the tie rule, what the black list is for), the red list and the black list, the lawful note, the 两委 and the date
of publication. A list not yet published prints with "草稿" / "告知期" in its title, so that nobody pins a draft on
the wall by mistake. Removed entries (upheld appeals) are never printed."""

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from xiangzhi.core.pdf import build_pdf, escape, styles, table
from xiangzhi.honours.models import BLACK, BLACK_RULE, LAWFUL_NOTE, RED, TIE_RULE, HonourList


def title_of(honour_list: HonourList) -> str:
    return f"{honour_list.region.name}{honour_list.period_label}红黑榜"


def list_pdf(*, honour_list: HonourList, entries: dict) -> bytes:
    """`entries`: selectors.entries_of(honour_list, public=True) (the caller fetched the list in scope)."""
    st = styles()
    p = []
    title = title_of(honour_list)
    if not honour_list.is_published:
        title += f"（{honour_list.get_state_display()}，未公布）"
    p.append(Paragraph(escape(title), st["title"]))
    p.append(
        Paragraph(
            escape(
                f"考核期：{honour_list.period_start:%Y年%m月%d日} 至 {honour_list.period_end:%Y年%m月%d日}"
                f"　红榜名额：{honour_list.red_list_size} 户"
            ),
            st["small"],
        )
    )
    p.append(Paragraph("红榜", st["heading"]))
    red = [e for e in entries[RED] if not e.removed]
    if red:
        rows = [["名次", "户主", "本期积分"]] + [[e.rank, f"{e.head_name}户", e.points] for e in red]
        p.append(table(rows, col_widths=[20 * mm, 80 * mm, 40 * mm]))
    else:
        p.append(Paragraph("本期无农户上红榜。", st["body"]))
    p.append(Paragraph(escape(TIE_RULE), st["small"]))
    p.append(Paragraph("黑榜", st["heading"]))
    black = [e for e in entries[BLACK] if not e.removed]
    if black:
        rows = [["名次", "户主", "违反村规民约事项", "扣分"]] + [
            [e.rank, f"{e.head_name}户", e.violation_summary, e.points] for e in black
        ]
        p.append(table(rows, col_widths=[16 * mm, 36 * mm, 96 * mm, 22 * mm]))
    else:
        p.append(Paragraph("本期无农户上黑榜。", st["body"]))
    p.append(Paragraph(escape(BLACK_RULE), st["small"]))
    p.append(Spacer(1, 6 * mm))
    p.append(Paragraph(escape(LAWFUL_NOTE), st["body"]))
    p.append(Spacer(1, 8 * mm))
    p.append(
        Paragraph(escape(f"{honour_list.region.name}党支部　{honour_list.region.name}村民委员会"), st["body"])
    )
    when = honour_list.published_at or honour_list.generated_at
    p.append(Paragraph(escape(f"{timezone.localtime(when):%Y年%m月%d日}"), st["body"]))
    return build_pdf(p, title=title)
