"""The cadres' 三务公开 pages (login): the notice list (drafts included, Excel export), drafting and editing a
draft, the 村务监督委员会's sign-off of a financial notice, publishing, an update of a published notice (the old
one stays, marked 已更新), the queue of villagers' questions with their answers, and the village's schedule
setting. Each view calls one selector or service; a refusal re-renders the page with the service's message and
changes nothing."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.disclosure import excel, selectors, services
from xiangzhi.disclosure.forms import AnswerForm, DraftForm, EditForm, SettingForm
from xiangzhi.disclosure.models import FINANCE, KIND_CHOICES, KIND_LABELS, Notice
from xiangzhi.regions import codes
from xiangzhi.regions import selectors as region_selectors
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request) -> dict:
    village = request.GET.get("village", "").strip()
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    return {
        "region": village if village.isdigit() else "",
        "kind": kind if kind in KIND_LABELS else "",
        "state": state if state in dict(Notice.STATE_CHOICES) else "",
    }


def _query(f: dict) -> str:
    return urlencode({k if k != "region" else "village": v for k, v in f.items() if v})


@login_required
@require_GET
def notice_list(request):
    policy.require(request.user, "disclosure.view")
    f = _filters(request)
    qs = selectors.notice_list(user=request.user, **f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/staff_list.html",
        {
            "page": page,
            "filters": f,
            "query": _query(f),
            "villages": selectors.villages_of(user=request.user),
            "kinds": KIND_CHOICES,
            "states": Notice.STATE_CHOICES,
            "can_draft": policy.can(request.user, "disclosure.draft"),
            "can_answer": policy.can(request.user, "disclosure.answer"),
        },
    )


@login_required
@require_GET
def notice_export(request):
    content, _ = excel.notice_export(user=request.user, **_filters(request))
    response = HttpResponse(content, content_type=XLSX)
    name = f"三务公开台账_{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response


def _form_page(request, template: str, form, status: int = 200, **extra):
    return render(request, template, {"form": form, **extra}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request):
    policy.require(request.user, "disclosure.draft")
    villages = selectors.villages_of(user=request.user, action="disclosure.draft")
    if request.method == "GET":
        initial = {"village": villages[0].code} if len(villages) == 1 else {}
        return _form_page(
            request,
            "disclosure/staff_form.html",
            DraftForm(villages=villages, initial=initial),
            title="起草公开事项",
        )
    form = DraftForm(request.POST, request.FILES, villages=villages)
    if form.is_valid():
        d = form.cleaned_data
        village = next(v for v in villages if v.code == d["village"])
        try:
            n = services.notice_draft(
                user=request.user,
                village=village,
                kind=d["kind"],
                major=d["major"],
                title=d["title"],
                body=d["body"],
                result=d["result"],
                mask_names=d["mask_names"],
                attachment=d["attachment"],
                attachment_checked=d["attachment_checked"],
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "草稿已保存。核对无误后可以公开。")
            return redirect("disclosure:staff_detail", pk=n.pk)
    return _form_page(request, "disclosure/staff_form.html", form, status=422, title="起草公开事项")


def _detail_page(request, n: Notice, *, error: str = "", status: int = 200):
    user = request.user
    return render(
        request,
        "disclosure/staff_detail.html",
        {
            "n": n,
            "questions": selectors.questions_of(n),
            "error": error,
            "can_draft": policy.can(user, "disclosure.draft", n),
            "can_sign_off": n.kind == FINANCE
            and not n.is_published
            and n.signed_off_at is None
            and policy.can(user, "disclosure.sign_off", n),
            "can_answer": policy.can(user, "disclosure.answer", n),
            "has_update": n.is_published and Notice.objects.filter(supersedes=n).exists(),
            "answer_form": AnswerForm(),
        },
        status=status,
    )


@login_required
@require_GET
def notice_detail(request, pk: int):
    return _detail_page(request, selectors.notice_get(user=request.user, pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def notice_edit(request, pk: int):
    n = selectors.notice_get(user=request.user, pk=pk, action="disclosure.draft")
    ctx = {"title": "修改草稿", "n": n}
    if n.is_published:
        # refused at once, GET or POST: a published notice is never edited (the service says the same)
        if request.method == "POST":
            try:
                services.notice_edit(user=request.user, notice=n, title=n.title, body=n.body, result=n.result)
            except FORM_ERRORS as exc:
                return _detail_page(request, n, error=exc.message, status=exc.status)
        return _detail_page(request, n, error=services.EDIT_REFUSED, status=409)
    if request.method == "GET":
        initial = {
            "title": n.title,
            "body": n.body,
            "result": n.result,
            "attachment_checked": n.attachment_checked,
        }
        return _form_page(request, "disclosure/staff_form.html", EditForm(initial=initial), **ctx)
    form = EditForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.notice_edit(
                user=request.user,
                notice=n,
                title=d["title"],
                body=d["body"],
                result=d["result"],
                mask_names=d["mask_names"],
                attachment=d["attachment"],
                remove_attachment=d["remove_attachment"],
                attachment_checked=d["attachment_checked"],
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            msg = "草稿已修改。"
            if n.kind == FINANCE and n.signed_off_at:
                msg += "内容已改动，须村务监督委员会重新审核。"
            messages.success(request, msg)
            return redirect("disclosure:staff_detail", pk=n.pk)
    return _form_page(request, "disclosure/staff_form.html", form, status=422, **ctx)


def _action(request, pk: int, *, action: str, do, done: str):
    n = selectors.notice_get(user=request.user, pk=pk, action=action)
    try:
        do(n)
    except FORM_ERRORS as exc:
        n = selectors.notice_get(user=request.user, pk=pk)
        return _detail_page(request, n, error=exc.message, status=exc.status)
    messages.success(request, done)
    return redirect("disclosure:staff_detail", pk=n.pk)


@login_required
@require_POST
def notice_sign_off(request, pk: int):
    return _action(
        request,
        pk,
        action="disclosure.sign_off",
        do=lambda n: services.notice_sign_off(user=request.user, notice=n),
        done="已审核。村两委可以公开此财务公开。",
    )


@login_required
@require_POST
def notice_publish(request, pk: int):
    return _action(
        request,
        pk,
        action="disclosure.draft",
        do=lambda n: services.notice_publish(user=request.user, notice=n),
        done="已在公开栏公开。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_update(request, pk: int):
    """An update of a published notice: a new draft that replaces it once published (the old one stays)."""
    n = selectors.notice_get(user=request.user, pk=pk, action="disclosure.draft")
    ctx = {"title": "发布更新版本", "n": n, "update": True}
    if request.method == "GET":
        if not n.is_published:
            return redirect("disclosure:staff_edit", pk=n.pk)
        initial = {"title": n.title, "body": n.body, "result": n.result}
        return _form_page(request, "disclosure/staff_form.html", EditForm(initial=initial), **ctx)
    form = EditForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            new = services.notice_supersede(
                user=request.user,
                notice=n,
                title=d["title"],
                body=d["body"],
                result=d["result"],
                mask_names=d["mask_names"],
                attachment=d["attachment"],
                attachment_checked=d["attachment_checked"],
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "更新版本的草稿已保存；公开后替换原版本，原版本保留并标注“已更新”。")
            return redirect("disclosure:staff_detail", pk=new.pk)
    return _form_page(request, "disclosure/staff_form.html", form, status=422, **ctx)


# -- villagers' questions ------------------------------------------------------------------------------------------


def _questions_page(request, *, form=None, failed=None, status=200):
    policy.require(request.user, "disclosure.answer")
    village = request.GET.get("village", "").strip()
    village = village if village.isdigit() else ""
    qs = selectors.questions_unanswered(user=request.user, region=village)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/staff_questions.html",
        {
            "page": page,
            "village": village,
            "query": urlencode({"village": village}) if village else "",
            "villages": selectors.villages_of(user=request.user, action="disclosure.answer"),
            "form": form or AnswerForm(),
            "failed": failed,
        },
        status=status,
    )


@login_required
@require_GET
def question_queue(request):
    return _questions_page(request)


@login_required
@require_POST
def question_answer(request, pk: int):
    q = selectors.question_get_for_answer(user=request.user, pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.question_answer(user=request.user, question=q, answer=form.cleaned_data["answer"])
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "答复已公开在公开栏。")
            return redirect("disclosure:staff_questions")
    return _questions_page(request, form=form, failed=q.pk, status=422)


# -- the village's schedule setting ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def village_setting(request, code: str):
    village = region_selectors.region_get(
        user=request.user, code=code, action="disclosure.draft", level=codes.VILLAGE
    )
    current = selectors.village_setting(village)
    form = SettingForm(
        request.POST or None, initial={"finance_monthly": bool(current and current.finance_monthly)}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.setting_set(
                    user=request.user, village=village, finance_monthly=form.cleaned_data["finance_monthly"]
                )
            except FORM_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("disclosure:staff_setting", code=village.code)
        status = 422
    return render(
        request,
        "disclosure/staff_setting.html",
        {"form": form, "village": village, "current": current},
        status=status,
    )
