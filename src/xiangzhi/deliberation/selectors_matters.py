"""Reads of matters (议题), always scoped with the policy (deliberation.matter_view)."""

from django.db.models import Count, Prefetch, QuerySet

from xiangzhi import policy
from xiangzhi.deliberation import matter_rules
from xiangzhi.deliberation.models import Body, Matter, MatterStep, Meeting, StepObjection
from xiangzhi.deliberation.selectors import village_within


def matter_list(
    *, user, region: str | None = None, status: str = "", kind: str = "", path: str = "", q: str = ""
) -> QuerySet:
    qs = policy.scope(
        user,
        "deliberation.matter_view",
        Matter.objects.select_related("region"),
        within=village_within(region),
    )
    if status in dict(Matter.STATUS_CHOICES):
        qs = qs.filter(status=status)
    if kind in matter_rules.KIND_BY_CODE:
        qs = qs.filter(kind=kind)
    if path in matter_rules.PATH_LABELS:
        qs = qs.filter(path=path)
    if q:
        qs = qs.filter(title__contains=q[:50])
    return qs.annotate(support_count=Count("supports")).order_by("-created_at", "-id")


def matter_get(*, user, pk) -> Matter:
    return policy.get_scoped_or_404(
        user, "deliberation.matter_view", Matter.objects.select_related("region", "case"), pk=pk
    )


def step_get(*, user, pk) -> MatterStep:
    return policy.get_scoped_or_404(
        user, "deliberation.matter_view", MatterStep.objects.select_related("matter", "matter__region"), pk=pk
    )


def steps(matter: Matter) -> list[MatterStep]:
    """The steps in order, with what fulfils each (meeting and item, notice), the meetings called for each and the
    objections on each, in a fixed number of queries."""
    return list(
        matter.steps.select_related("meeting", "meeting__body", "item", "notice")
        .prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.select_related("body").order_by("held_on", "id")),
            Prefetch("objections", queryset=StepObjection.objects.order_by("id")),
        )
        .order_by("seq")
    )


def bodies_for(matter: Matter, step: MatterStep | None) -> list[Body]:
    """The village's active bodies that may hold the step's meeting."""
    if step is None or not step.spec.bodies:
        return []
    return list(
        Body.objects.filter(region_id=matter.region_id, kind__in=step.spec.bodies, is_active=True).order_by(
            "id"
        )
    )


def open_meetings_for(matter: Matter, step: MatterStep | None) -> list[Meeting]:
    """Meetings of the step's bodies not yet tied to any step, that could be attached."""
    if step is None or not step.spec.bodies:
        return []
    return list(
        Meeting.objects.filter(
            body__region_id=matter.region_id,
            body__kind__in=step.spec.bodies,
            matter_step__isnull=True,
            status=Meeting.STATUS_CALLED,
        )
        .select_related("body")
        .order_by("-held_on", "-id")[:20]
    )
