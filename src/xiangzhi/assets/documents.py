"""合同摘要 (a contract summary) as a PDF in Chinese, rendered on demand and never stored: the contract's terms, its
schedule with what was received, the approving resolution and the 合同清理 checks, as a village files it or posts
it with the 三资 accounts. The ID number is printed masked."""

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from xiangzhi.assets import selectors, services
from xiangzhi.core import clock
from xiangzhi.core.money import fen_to_yuan
from xiangzhi.core.pdf import build_pdf, escape, styles, table

TITLE = "合同摘要"


def contract_pdf(contract) -> bytes:
    """`contract` was fetched through the scoped selector (annotated with its figures)."""
    st = styles()
    p = [Paragraph(escape(f"{contract.region.name}集体{TITLE}"), st["title"])]
    id_text = f"（身份证号 {contract.id_number_masked}）" if contract.counterparty_id_number else ""
    rows = [
        ["合同编号", contract.code, "类别", contract.get_category_display()],
        ["合同事项", contract.get_matter_display(), "资产或地块", contract.subject],
        [
            "承包（承租）方",
            f"{contract.counterparty_name}{id_text}",
            "成员/外部",
            "本集体经济组织成员" if contract.counterparty_is_member else "本集体经济组织以外",
        ],
        [
            "面积",
            f"{services.format_area(contract.area_cmu)} 亩",
            "金额",
            f"{fen_to_yuan(contract.amount)} 元（{contract.get_amount_basis_display()}）",
        ],
        [
            "期限",
            f"{contract.starts_on:%Y年%m月%d日} 至 {contract.ends_on:%Y年%m月%d日}",
            "书面合同",
            "有" if contract.has_written_contract else "无",
        ],
    ]
    p.append(table(rows, header=False, col_widths=[28 * mm, 57 * mm, 28 * mm, 57 * mm]))
    p.append(Spacer(1, 4 * mm))
    if contract.resolution_id:
        r = contract.resolution
        p.append(
            Paragraph(
                escape(
                    f"批准决议：{r.meeting.held_on:%Y年%m月%d日} {r.meeting.title}，“{r.title}”，"
                    f"赞成 {r.yes} 票，{'通过' if r.passed else '未通过'}"
                    + ("，已经乡（镇）人民政府批准" if r.township_approved_at else "")
                    + "。"
                ),
                st["body"],
            )
        )
    else:
        p.append(Paragraph(escape("批准决议：无。"), st["body"]))
    p.append(Paragraph(escape("付款计划与收款"), st["heading"]))
    sched = [["应付日期", "应付金额（元）"]] + [
        [f"{i.due_on:%Y-%m-%d}", fen_to_yuan(i.amount)] for i in contract.instalments.all()
    ]
    if len(sched) == 1:
        sched.append(["（未约定付款计划）", ""])
    p.append(table(sched, col_widths=[50 * mm, 50 * mm]))
    p.append(Spacer(1, 3 * mm))
    pays = [["收款日期", "金额（元）", "收据号"]] + [
        [f"{x.paid_on:%Y-%m-%d}", fen_to_yuan(x.amount), x.receipt_no]
        for x in selectors.payments_of(contract)
    ]
    if len(pays) == 1:
        pays.append(["（尚无收款）", "", ""])
    p.append(table(pays, col_widths=[50 * mm, 50 * mm, 60 * mm]))
    p.append(
        Paragraph(
            escape(
                f"应收合计（已到期）：{fen_to_yuan(contract.due_past)} 元；已收合计：{fen_to_yuan(contract.paid_total)} 元；"
                f"欠款：{fen_to_yuan(selectors.arrears_of(contract))} 元。"
            ),
            st["body"],
        )
    )
    p.append(Paragraph(escape("合同清理检查"), st["heading"]))
    problems = selectors.problems_of(contract)
    if problems:
        p.append(
            table([["问题", "依据"]] + [[c.label, c.law] for c in problems], col_widths=[45 * mm, 125 * mm])
        )
    else:
        p.append(Paragraph(escape("未发现问题。"), st["body"]))
    p.append(Spacer(1, 6 * mm))
    printed = timezone.localtime(clock.now())
    p.append(
        Paragraph(
            escape(f"打印时间：{printed:%Y年%m月%d日 %H:%M}。本摘要由系统按合同台账生成。"), st["small"]
        )
    )
    return build_pdf(p, title=f"{TITLE} {contract.code}")
