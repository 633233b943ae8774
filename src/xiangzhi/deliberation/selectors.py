"""Deliberation reads, always scoped with the policy."""

from django.db.models import QuerySet

from xiangzhi import policy
from xiangzhi.deliberation.models import Item, Meeting, RollEntry
from xiangzhi.regions import codes

VILLAGE_CODE_LENGTH = codes.LENGTHS[codes.VILLAGE]


def meeting_list(*, user, region: str | None = None, status: str = "") -> QuerySet:
    within = region if region and region.isdigit() else None
    if within and len(within) > VILLAGE_CODE_LENGTH:
        within = within[:VILLAGE_CODE_LENGTH]  # meetings belong to a village: a grid picks its village
    qs = policy.scope(user, "deliberation.view", Meeting.objects.select_related("body"), within=within)
    if status in dict(Meeting.STATUS_CHOICES):
        qs = qs.filter(status=status)
    return qs.order_by("-held_on", "-id")


def meeting_get(*, user, pk) -> Meeting:
    return policy.get_scoped_or_404(user, "deliberation.view", Meeting.objects.select_related("body"), pk=pk)


def item_get(*, user, pk) -> Item:
    return policy.get_scoped_or_404(
        user, "deliberation.view", Item.objects.select_related("meeting", "meeting__body"), pk=pk
    )


def own_line(*, user, meeting: Meeting) -> RollEntry | None:
    """The user's own line of the roll (by the resident linked to the account)."""
    rid = getattr(user, "resident_id", None)
    if not rid:
        return None
    for entry in meeting.roll.select_related("party_member"):
        if entry.voter_resident_id == rid:
            return entry
    return None


def entry_get(*, meeting: Meeting, pk) -> RollEntry | None:
    return meeting.roll.filter(pk=pk).first() if str(pk).isdigit() else None
