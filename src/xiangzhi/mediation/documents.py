"""调解协议书 as a PDF in Chinese, rendered on demand (never stored), laid out as the People's Mediation Law asks
(Art. 29): the parties' basic facts, the main facts and matters in dispute, the agreed terms, how and by when they
are performed; the parties' signatures, the mediator's signature and the committee's seal, the date; and the
parties' right to apply for judicial confirmation within thirty days (Art. 33).

ID numbers are printed by their last four characters only, whoever prints: a PDF leaves the system (it is
printed, photographed, handed round), so it never carries a full number.
"""

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from xiangzhi.core.pdf import build_pdf, escape, styles, table
from xiangzhi.mediation.models import JUDICIAL_CONFIRMATION_TEXT, Agreement, Mediation

TITLE = "人民调解协议书"
BLANK = "＿＿＿＿＿＿＿＿"


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日}" if moment else "　　年　　月　　日"


def agreement_pdf(*, mediation: Mediation, agreement: Agreement, parties, mediators) -> bytes:
    """The caller fetched everything through the scoped selectors (the view) and checked the form is written."""
    st = styles()
    p = []

    def para(text: str, style: str = "body"):
        p.append(Paragraph(escape(text), st[style]))

    p.append(Paragraph(escape(TITLE), st["title"]))
    para(f"{mediation.committee}　编号：{mediation.number}", "small")
    para("当事人基本情况", "heading")
    rows = [["当事人", "身份", "身份证号", "住址"]]
    for party in parties:
        rows.append(
            [
                party.name,
                party.get_role_display(),
                party.masked_id or "（未提供）",
                party.address or (party.resident.household.address if party.resident_id else ""),
            ]
        )
    p.append(table(rows, col_widths=[32 * mm, 24 * mm, 48 * mm, 66 * mm]))
    para("纠纷的主要事实、争议事项", "heading")
    para(agreement.facts)
    para("经人民调解，各方当事人自愿达成如下协议", "heading")
    para(agreement.terms)
    para("履行方式、时限", "heading")
    para(f"{agreement.performance_method}（于 {agreement.performance_due:%Y年%m月%d日} 前履行完毕）")
    para(
        f"本协议书一式 {len(parties) + 1} 份，各方当事人、{mediation.committee}各执一份。"
        "本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效，"
        "具有法律约束力，当事人应当按照约定履行（《中华人民共和国人民调解法》第二十九条、第三十一条）。"
    )
    deadline = (
        f"（本协议于{_day(agreement.effective_at)}生效，申请司法确认截至 "
        f"{agreement.confirmation_deadline:%Y年%m月%d日}）"
        if agreement.confirmation_deadline
        else ""
    )
    para(f"{JUDICIAL_CONFIRMATION_TEXT}（《中华人民共和国人民调解法》第三十三条）。{deadline}")
    p.append(Spacer(1, 8 * mm))
    para("当事人（签名、盖章或者按指印）：", "heading")
    for party in parties:
        signed = f"已签名　{_day(party.signed_at)}" if party.signed_at else f"{BLANK}　　年　　月　　日"
        para(f"{party.get_role_display()}：{party.name}　　{signed}")
    names = "、".join(m.name for m in mediators)
    para(f"人民调解员（签名）：{names}　{BLANK}")
    sealed = f"（已盖章　{_day(agreement.sealed_at)}）" if agreement.sealed_at else "（盖章）"
    para(f"{mediation.committee}{sealed}")
    para(f"日期：{_day(agreement.effective_at or agreement.recorded_at)}")
    return build_pdf(p, title=f"{TITLE} {mediation.number}")
