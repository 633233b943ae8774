"""Changes to the public board, each audited with `audit.services.record` in the change's own transaction.

Privacy before publication (every notice, the hook's included):
- a mobile number or an ID number in the title, body, result or a question refuses the text (the detector of
  open311, which masks such numbers typed into reports; here they are refused, never published or repeated);
- a PDF attachment with a text layer is read (`scan`): an ID or phone number in it refuses the attachment (at
  drafting) and the publication; a PDF without text (a scan) or an image cannot be read by this install (no OCR):
  the publisher must confirm (`attachment_checked`) that it holds no ID or phone number, else publication is
  refused;
- names: the drafter lists the names of the persons named in the notice (`mask_names`); each listed name is shown
  as its first character followed by 某 (张三 → 张某) everywhere in the notice. Names not listed are not guessed.
"""

import re

from django.db import transaction

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.core.files import file_store
from xiangzhi.core.text import clean_text
from xiangzhi.disclosure import scan
from xiangzhi.disclosure.models import (
    ENFORCEMENT,
    FINANCE,
    HOOK_KINDS,
    KIND_LABELS,
    Notice,
    Question,
    VillageSetting,
)
from xiangzhi.open311.views import NUMBERS
from xiangzhi.regions import codes

EDIT_REFUSED = "已公开的事项不能修改，只能发布更新版本；原版本会保留在公开栏并标注“已更新”。"
NUMBERS_REFUSED = "{label}中含有身份证号或手机号，不能公开。请删去号码后再提交。"
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,6}$")
_NAME_SEPARATORS = re.compile(r"[\s,，、;；]+")


def check_numbers(text: str, *, field: str, label: str) -> None:
    """Refuse a text holding a mobile number or an ID number (the message never repeats it)."""
    if NUMBERS.search(text or ""):
        raise ValidationFailed(NUMBERS_REFUSED.format(label=label), field=field)


def clean_names(names) -> list[str]:
    out = []
    for raw in names or []:
        name = (raw or "").strip()
        if not name:
            continue
        if not _NAME.match(name):
            raise ValidationFailed(
                f"“{name[:10]}”不像一个中文姓名：请填写 2 到 6 个汉字的姓名。", field="mask_names"
            )
        out.append(name)
    return sorted(set(out), key=len, reverse=True)  # longest first: 欧阳明华 before 欧阳明


def split_names(text: str) -> list[str]:
    """The names a drafter typed in one box, separated by spaces, commas, 、 or semicolons."""
    return [n for n in _NAME_SEPARATORS.split(text or "") if n]


def mask_names(text: str, names) -> str:
    """Every listed full name becomes its first character and 某 (张三 → 张某; a compound surname keeps one
    character only: 欧阳明 → 欧某)."""
    for name in clean_names(names):
        text = text.replace(name, masked_name(name))
    return text


def masked_name(name: str) -> str:
    """A person as the public board shows them (the issue's rule): 张三 → 张某; nothing known → 某."""
    name = (name or "").strip()
    return f"{name[0]}某" if name else "某"


def _texts(*, title, body, result, names) -> dict:
    title = clean_text(title, field="title", label="标题", limit=100)
    body = clean_text(body, field="body", label="内容", limit=10000)
    result = clean_text(result, field="result", label="实施结果", limit=5000, required=False)
    out = {
        "title": mask_names(title, names),
        "body": mask_names(body, names),
        "result": mask_names(result, names),
    }
    for field, label in (("title", "标题"), ("body", "内容"), ("result", "实施结果")):
        check_numbers(out[field], field=field, label=label)
    return out


def _village(region) -> None:
    if region is None or region.level != codes.VILLAGE or not region.is_active:
        raise ValidationFailed("请选择一个村（社区）。", field="village")


def _board_of(region, kind: str) -> None:
    """The hook's board: a village's for every hook kind; a town's for 执法公示 only (the town's enforcement
    decisions go on the town's own public page, not on a village's)."""
    if region is not None and region.level == codes.TOWN and region.is_active:
        if kind != ENFORCEMENT:
            raise ValidationFailed(
                "乡镇公开栏只发布执法公示；其他公示请发布到村（社区）公开栏。", field="kind"
            )
        return
    _village(region)


def _kind(kind: str, *, hook: bool = False) -> str:
    if kind not in KIND_LABELS:
        raise ValidationFailed("请选择公开类别。", field="kind")
    if hook and kind not in HOOK_KINDS:
        raise ValidationFailed(
            "党务、村务、财务公开须由村两委起草公开，不能由其他模块直接发布。", field="kind"
        )
    return kind


ATTACHMENT_NUMBERS = "附件中含有身份证号或手机号，不能公开。请删去号码（或换一份已遮盖号码的附件）后再提交。"
ATTACHMENT_UNCHECKED = (
    "附件无法自动检查（扫描件或图片）：请先核对附件中没有身份证号、手机号，并勾选“已核对”后再公开。"
)


def _attachment(upload, *, village, user):
    if upload is None:
        return None
    pf = file_store(
        upload=upload, purpose="disclosure", region_code=village.code, user=user, allowed={"image", "pdf"}
    )
    if scan.scan_file(pf) == scan.NUMBERS_FOUND:
        raise ValidationFailed(ATTACHMENT_NUMBERS, field="attachment")
    return pf


def _check_attachment(notice: Notice) -> None:
    if not notice.attachment_id:
        return
    found = scan.scan_file(notice.attachment)
    if found == scan.NUMBERS_FOUND:
        raise ValidationFailed(ATTACHMENT_NUMBERS, field="attachment")
    if found == scan.UNREADABLE and not notice.attachment_checked:
        raise ValidationFailed(ATTACHMENT_UNCHECKED, field="attachment_checked")


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().get(pk=notice.pk)


@transaction.atomic
def notice_draft(
    *,
    user,
    village,
    kind: str,
    title: str,
    body: str,
    result: str = "",
    major: bool = False,
    mask_names=(),
    attachment=None,
    attachment_checked: bool = False,
) -> Notice:
    _village(village)
    kind = _kind(kind)
    probe = Notice(region=village, region_code=village.code, kind=kind)
    policy.require(user, "disclosure.draft", probe)
    texts = _texts(title=title, body=body, result=result, names=mask_names)
    notice = Notice.objects.create(
        region=village,
        region_code=village.code,
        kind=kind,
        major=bool(major),
        attachment=_attachment(attachment, village=village, user=user),
        attachment_checked=bool(attachment_checked),
        created_at=clock.now(),
        created_by=user,
        **texts,
    )
    record("disclosure.notice_drafted", notice, changes={"kind": kind, "title": notice.title})
    return notice


@transaction.atomic
def notice_edit(
    *,
    user,
    notice: Notice,
    title: str,
    body: str,
    result: str = "",
    mask_names=(),
    attachment_checked=None,
    attachment=None,
    remove_attachment: bool = False,
) -> Notice:
    """Change a draft. A published notice is never edited (refused; nothing changes): publish an update instead.
    `attachment` replaces the draft's attachment; `remove_attachment` drops it (the stored file stays, unlinked)."""
    policy.require(user, "disclosure.draft", notice)
    notice = _locked(notice)
    if notice.is_published:
        record("disclosure.notice_edit_refused", notice, result="denied", changes={"reason": "published"})
        raise Conflict(EDIT_REFUSED)
    texts = _texts(title=title, body=body, result=result, names=mask_names)
    for k, v in texts.items():
        setattr(notice, k, v)
    fields = list(texts)
    if notice.kind == FINANCE and notice.signed_off_at is not None:
        notice.signed_off_at, notice.signed_off_by = None, None  # the supervisors signed another text
        fields += ["signed_off_at", "signed_off_by"]
    if attachment is not None or remove_attachment:
        notice.attachment = (
            _attachment(attachment, village=notice.region, user=user) if attachment is not None else None
        )
        fields.append("attachment")
    if attachment_checked is not None:
        notice.attachment_checked = bool(attachment_checked)
        fields.append("attachment_checked")
    notice.save(update_fields=fields)
    record("disclosure.notice_edited", notice, changes={"title": notice.title})
    return notice


@transaction.atomic
def notice_sign_off(*, user, notice: Notice) -> Notice:
    policy.require(user, "disclosure.sign_off", notice)
    notice = _locked(notice)
    if notice.kind != FINANCE:
        raise ValidationFailed("只有财务公开需要村务监督委员会审核。")
    if notice.is_published:
        raise Conflict("此事项已公开。")
    if notice.signed_off_at is not None:
        raise Conflict("此财务公开已审核过。")
    notice.signed_off_at, notice.signed_off_by = clock.now(), user
    notice.save(update_fields=["signed_off_at", "signed_off_by"])
    record("disclosure.notice_signed_off", notice)
    return notice


def _publish_row(notice: Notice, *, user) -> Notice:
    if notice.is_published:
        raise Conflict("此事项已公开。")
    if notice.kind == FINANCE and notice.signed_off_at is None:
        raise ValidationFailed("财务公开须经村务监督委员会审核后才能公开。")
    _check_attachment(notice)
    for field, label in (("title", "标题"), ("body", "内容"), ("result", "实施结果")):
        check_numbers(getattr(notice, field), field=field, label=label)
    notice.state, notice.published_at, notice.published_by = Notice.PUBLISHED, clock.now(), user
    notice.save(update_fields=["state", "published_at", "published_by"])
    record("disclosure.notice_published", notice, changes={"kind": notice.kind, "title": notice.title})
    if notice.supersedes_id:
        old = Notice.objects.select_for_update().get(pk=notice.supersedes_id)
        if old.superseded_by_id is not None:
            raise Conflict("原事项已有更新版本。")
        old.superseded_by = notice
        old.save(update_fields=["superseded_by"])
        record("disclosure.notice_superseded", old, changes={"by": notice.pk})
    return notice


@transaction.atomic
def notice_publish(*, user, notice: Notice) -> Notice:
    policy.require(user, "disclosure.draft", notice)
    return _publish_row(_locked(notice), user=user)


@transaction.atomic
def notice_supersede(
    *,
    user,
    notice: Notice,
    title: str,
    body: str,
    result: str = "",
    mask_names=(),
    attachment=None,
    attachment_checked: bool = False,
) -> Notice:
    """A draft that will replace a published notice once published (a financial one is signed off again)."""
    policy.require(user, "disclosure.draft", notice)
    old = _locked(notice)
    if not old.is_published:
        raise ValidationFailed("草稿可以直接修改，不需要发布更新版本。")
    if old.superseded_by_id is not None or Notice.objects.filter(supersedes=old).exists():
        raise Conflict("此事项已有更新版本（或更新版本的草稿），请在那里修改。")
    texts = _texts(title=title, body=body, result=result, names=mask_names)
    new = Notice.objects.create(
        region_id=old.region_id,
        region_code=old.region_code,
        kind=old.kind,
        major=old.major,
        source_ref=old.source_ref,
        attachment=_attachment(attachment, village=old.region, user=user),
        attachment_checked=bool(attachment_checked),
        supersedes=old,
        created_at=clock.now(),
        created_by=user,
        **texts,
    )
    record("disclosure.notice_drafted", new, changes={"supersedes": old.pk, "title": new.title})
    return new


@transaction.atomic
def publish_once(
    *, region, kind: str, title: str, body: str, source_ref: str, published_by
) -> tuple[Notice, bool]:
    """`publish`, unless the board already shows exactly this text for this source_ref: then (that notice, False)
    and nothing is written (for callers that publish a batch again on a schedule)."""
    kind = _kind(kind, hook=True)
    _board_of(region, kind)
    ref = clean_text(source_ref, field="source_ref", label="来源", limit=100, required=False)
    texts = _texts(title=title, body=body, result="", names=())
    if ref:
        current = Notice.objects.filter(
            region_code=region.code,
            kind=kind,
            source_ref=ref,
            state=Notice.PUBLISHED,
            superseded_by__isnull=True,
        ).first()
        if current is not None and (current.title, current.body) == (texts["title"], texts["body"]):
            return current, False
    return publish(
        region=region, kind=kind, title=title, body=body, source_ref=source_ref, published_by=published_by
    ), True


@transaction.atomic
def publish(*, region, kind: str, title: str, body: str, source_ref: str, published_by) -> Notice:
    """The publishing hook for other modules (积分公示, 红黑榜, 执法公示): publish at once on the village's board
    (or, for 执法公示 only, on a town's board: `region` a town).

    The caller has already authorised `published_by` for its own object; the texts get the same checks as any
    notice (no ID or phone numbers; names masked by the caller, with `masked_name`). Publishing again with the same `source_ref`
    supersedes the earlier notice, which stays visible marked 已更新."""
    kind = _kind(kind, hook=True)
    _board_of(region, kind)
    source_ref = clean_text(source_ref, field="source_ref", label="来源", limit=100, required=False)
    texts = _texts(title=title, body=body, result="", names=())
    previous = None
    if source_ref:
        previous = (
            Notice.objects.select_for_update()
            .filter(
                region_code=region.code,
                kind=kind,
                source_ref=source_ref,
                state=Notice.PUBLISHED,
                superseded_by__isnull=True,
            )
            .first()
        )
    notice = Notice.objects.create(
        region=region,
        region_code=region.code,
        kind=kind,
        source_ref=source_ref,
        supersedes=previous,
        created_at=clock.now(),
        created_by=published_by,
        **texts,
    )
    record("disclosure.notice_drafted", notice, actor=published_by, changes={"source_ref": source_ref})
    return _publish_row(notice, user=published_by)


@transaction.atomic
def setting_set(*, user, village, finance_monthly: bool) -> VillageSetting:
    _village(village)
    policy.require(user, "disclosure.draft", Notice(region_code=village.code))
    s, _ = VillageSetting.objects.select_for_update().get_or_create(
        region_code=village.code, defaults={"region": village, "updated_at": clock.now()}
    )
    before = s.finance_monthly
    s.finance_monthly, s.updated_at = bool(finance_monthly), clock.now()
    s.save(update_fields=["finance_monthly", "updated_at"])
    record("disclosure.setting_changed", s, changes={"finance_monthly": [before, s.finance_monthly]})
    return s


@transaction.atomic
def question_ask(*, user, notice: Notice, text: str) -> Question:
    policy.require(user, "disclosure.ask", notice)
    if not notice.is_published:
        raise ValidationFailed("只能对已公开的事项提问。")
    text = clean_text(text, field="text", label="问题", limit=1000)
    check_numbers(text, field="text", label="问题")
    q = Question.objects.create(
        notice=notice, region_code=notice.region_code, text=text, asked_by=user, asked_at=clock.now()
    )
    record("disclosure.question_asked", q)
    return q


@transaction.atomic
def question_answer(*, user, question: Question, answer: str) -> Question:
    policy.require(user, "disclosure.answer", question)
    q = Question.objects.select_for_update().get(pk=question.pk)
    if q.answered_at is not None:
        raise Conflict("此问题已答复，公开的答复不能修改。")
    answer = clean_text(answer, field="answer", label="答复", limit=2000)
    check_numbers(answer, field="answer", label="答复")
    q.answer, q.answered_by, q.answered_at = answer, user, clock.now()
    q.save(update_fields=["answer", "answered_by", "answered_at"])
    record("disclosure.question_answered", q)
    return q
