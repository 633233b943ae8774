"""决议公告 (a resolution notice) as a PDF in Chinese, rendered on demand and never stored: the text published on
the village's board (names already masked there), the record of the four 议 that led to it, and the implementation
result once published — what a village prints for the notice board or the file."""

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.pdf import build_pdf, escape, styles, table

TITLE = "决议公告"


def resolution_pdf(*, matter, steps) -> bytes:
    """`steps` in order (selectors_matters.steps); the caller fetched the matter through the scoped selector.
    Refused until the resolution is published."""
    by_code = {s.code: s for s in steps}
    published = by_code.get("publish_resolution")
    if published is None or published.notice is None:
        raise ValidationFailed("决议尚未公开，不能生成决议公告。")
    result_step = by_code.get("publish_result")
    notice = result_step.notice if result_step is not None and result_step.notice else published.notice
    st = styles()
    p = [Paragraph(escape(f"{matter.region.name}{TITLE}"), st["title"])]
    p.append(Paragraph(escape(notice.title), st["heading"]))
    p.append(Paragraph(escape(f"议题编号：{matter.number}　类别：{matter.get_kind_display()}"), st["small"]))
    p.append(Paragraph(escape(notice.body), st["body"]))
    rows = [["步骤", "完成情况", "完成日期"]]
    for s in steps:
        done = timezone.localtime(s.done_at).strftime("%Y-%m-%d") if s.done_at else ""
        rows.append([s.label, s.outcome or s.get_status_display(), done])
    p += [Spacer(1, 3 * mm), Paragraph(escape("四议两公开程序"), st["heading"])]
    p.append(table(rows, col_widths=[42 * mm, 100 * mm, 28 * mm]))
    if notice.result:
        p += [
            Spacer(1, 3 * mm),
            Paragraph(escape("实施结果"), st["heading"]),
            Paragraph(escape(notice.result), st["body"]),
        ]
    published_at = timezone.localtime(published.notice.published_at)
    p.append(Spacer(1, 6 * mm))
    p.append(
        Paragraph(escape(f"{matter.region.name}村民委员会　{published_at:%Y年%m月%d日}公开"), st["body"])
    )
    printed = timezone.localtime(clock.now())
    p.append(
        Paragraph(
            escape(
                f"打印时间：{printed:%Y年%m月%d日 %H:%M}。本公告与村务公开栏所公开的内容一致，如有疑问可向村务监督委员会反映。"
            ),
            st["small"],
        )
    )
    return build_pdf(p, title=f"{TITLE} {matter.title}")
