"""积分存折 (a household's passbook) as a PDF in Chinese, rendered on demand and never stored: the household, its
累计积分 and 可用积分, and every entry in order with the balances after it, as a village prints it for the
household or for the file."""

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from xiangzhi.core import clock
from xiangzhi.core.pdf import build_pdf, escape, styles, table

TITLE = "积分存折"


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def entry_item(e) -> str:
    """What the passbook says an entry was for."""
    if e.item_name:
        return e.item_name
    if e.kind == "correction":
        return f"更正：{e.note}" if e.note else "更正"
    return f"{e.get_kind_display()}：{e.note}" if e.note else e.get_kind_display()


def passbook_pdf(*, household, village_name: str, entries, earned: int, available: int) -> bytes:
    """`entries` oldest first; the caller fetched the household through the scoped selector."""
    st = styles()
    p = [Paragraph(escape(TITLE), st["title"])]
    head = household.head_name or "（无户主）"
    p.append(Paragraph(escape(f"{village_name}　户主：{head}　户号：{household.number or '—'}"), st["body"]))
    p.append(Paragraph(escape(f"住址：{household.address}"), st["body"]))
    p.append(Paragraph(escape(f"累计积分：{earned} 分　　可用积分：{available} 分"), st["heading"]))
    rows = [["日期", "事项", "累计积分增减", "可用积分增减", "累计", "可用"]]
    for e in entries:
        rows.append(
            [
                f"{e.occurred_on:%Y-%m-%d}",
                entry_item(e),
                _signed(e.earned_delta),
                _signed(e.available_delta),
                str(e.earned_after),
                str(e.available_after),
            ]
        )
    if len(rows) == 1:
        rows.append(["", "（尚无积分记录）", "", "", "", ""])
    p += [Spacer(1, 3 * mm), table(rows, col_widths=[24 * mm, 62 * mm, 22 * mm, 22 * mm, 20 * mm, 20 * mm])]
    p.append(Spacer(1, 6 * mm))
    printed = timezone.localtime(clock.now())
    p.append(
        Paragraph(
            escape(
                f"打印时间：{printed:%Y年%m月%d日 %H:%M}。本存折由积分流水生成，流水只增不改，"
                "更正以更正记录体现。可用积分可在积分超市兑换，累计积分用于评先评优。"
            ),
            st["small"],
        )
    )
    return build_pdf(p, title=f"{TITLE} {head}户")
