"""Secret ballots: no query over the database links a voter to a choice; the tally equals the ballots."""

import uuid

import pytest
from django.apps import apps
from django.db import connection, models

from tests import factories as tf
from tests.deliberation import factories as f
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import PermissionDenied, ValidationFailed
from xiangzhi.deliberation import services
from xiangzhi.deliberation.models import Ballot, Item, RollEntry, SecretTally, VoteMark

pytestmark = pytest.mark.django_db

# A distinctive order of choices (24 voters): a shuffle reproduces it with odds of about 1 in 10^10.
PATTERN = ["yes", "no", "yes", "abstain", "yes", "yes", "no", "abstain"] * 3
LINKING = (RollEntry, "people.Resident", "people.Household", "party.PartyMember", "accounts.User")


def _linking_models():
    return {apps.get_model(m) if isinstance(m, str) else m for m in LINKING}


def _row_order_column() -> str | None:
    return {"sqlite": "rowid", "postgresql": "ctid"}.get(connection.vendor)


def _every_choice_sequence(model) -> list[list[str]]:
    """The `choice` column of `model`'s table ordered by each of its columns and by physical row order."""
    table = model._meta.db_table
    orderings = [f.column for f in model._meta.concrete_fields]
    if _row_order_column():
        orderings.append(_row_order_column())
    sequences = []
    with connection.cursor() as cur:
        for col in orderings:
            for direction in ("ASC", "DESC"):
                cur.execute(f'SELECT choice FROM "{table}" ORDER BY {col} {direction}')  # noqa: S608
                sequences.append([r[0] for r in cur.fetchall()])
        cur.execute(f'SELECT choice FROM "{table}"')  # noqa: S608  (no ORDER BY: whatever the database gives)
        sequences.append([r[0] for r in cur.fetchall()])
    return sequences


@pytest.fixture
def secret_vote(township):
    body = f.body_with_members(township.grid_a1, 30)
    m = f.meeting(body)
    present = f.attend(m, 24)
    item = f.item(m, secret=True)
    return m, item, present


def test_no_table_links_a_voter_to_a_choice(township, secret_vote):
    m, item, present = secret_vote
    # The first voter votes on their phone as themselves; eight take paper ballots; the rest vote online.
    voter_user = tf.user_with_role("villager", township.village_a)
    voter_user.resident_id = present[0].resident_id
    voter_user.save()
    paper = {i for i in range(1, 9)}
    for i, (entry, choice) in enumerate(zip(present, PATTERN, strict=True)):
        if i == 0:
            services.secret_vote_cast(user=voter_user, item=item, entry=entry, choice=choice)
        elif i in paper:
            services.paper_ballot_issue(user=None, item=item, entry=entry)
        else:
            services.secret_vote_cast(user=None, item=item, entry=entry, choice=choice)
    # While the vote is open no row of any kind holds a single choice: only counters.
    assert not Ballot.objects.exists()
    paper_choices = [PATTERN[i] for i in sorted(paper)]
    with pytest.raises(ValidationFailed, match="请计票人录入全部选票"):
        services.item_decide(user=None, item=item)
    with pytest.raises(ValidationFailed, match="多于发出的选票"):
        services.paper_ballots_enter(user=None, item=item, yes=9)
    services.paper_ballots_enter(
        user=None, item=item, **{c: paper_choices.count(c) for c in ("yes", "no", "abstain")}
    )
    decided = services.item_decide(user=None, item=item)

    # The tally is computed from the ballots and equals them (and the votes cast).
    ballots = list(Ballot.objects.filter(item=item).values_list("choice", flat=True))
    assert len(ballots) == 24 == VoteMark.objects.filter(item=item).count()
    assert (
        (decided.yes, decided.no, decided.abstain)
        == (
            ballots.count("yes"),
            ballots.count("no"),
            ballots.count("abstain"),
        )
        == (PATTERN.count("yes"), PATTERN.count("no"), PATTERN.count("abstain"))
    )
    assert decided.passed is False  # 12 yes of 24 present: not more than half
    tally = SecretTally.objects.get(item=item)
    assert (tally.yes, tally.no, tally.abstain) == (0, 0, 0)  # the counters do not outlive the vote

    # Structure: every table of the app that holds a choice has no column pointing at a person or a roll line,
    # and no time; ballots have random (uuid4) ids.
    linking = _linking_models()
    for model in apps.get_app_config("deliberation").get_models():
        names = {fld.name for fld in model._meta.concrete_fields}
        if "choice" in names and model is not apps.get_model("deliberation.OpenVote"):
            for fld in model._meta.concrete_fields:
                assert not (fld.is_relation and fld.related_model in linking), (model, fld.name)
                assert not isinstance(fld, models.DateField | models.DateTimeField), (model, fld.name)
        if model is VoteMark:
            assert names == {"id", "item", "entry"}  # "has voted", nothing more
    assert all(isinstance(b.pk, uuid.UUID) and b.pk.version == 4 for b in Ballot.objects.all())

    # Order: the voting order (the marks' order) is not reproduced by the ballots in any ordering.
    voting_order = [PATTERN[present.index(e)] for e in (mk.entry for mk in VoteMark.objects.order_by("id"))]
    assert voting_order == PATTERN
    for model in apps.get_app_config("deliberation").get_models():
        if "choice" in {fld.column for fld in model._meta.concrete_fields}:
            for seq in _every_choice_sequence(model):
                assert seq != voting_order and seq != voting_order[::-1]

    # The audit chain says votes were cast, never how.
    for rec in AuditRecord.objects.filter(action__startswith="deliberation.").exclude(
        action="deliberation.item_decided"
    ):
        text = str(rec.changes)
        assert "yes" not in text and "'no'" not in text and "abstain" not in text and "choice" not in text, (
            rec
        )
    cast = AuditRecord.objects.filter(action="deliberation.secret_vote_cast")
    assert cast.count() == 16 and all(r.changes == {"votes": "cast"} for r in cast)


def test_only_the_voter_casts_their_own_secret_ballot(township, secret_vote):
    m, item, present = secret_vote
    someone = tf.user_with_role("villager", township.village_a)
    someone.resident_id = present[1].resident_id
    someone.save()
    with pytest.raises(PermissionDenied, match="只能本人投票"):
        services.secret_vote_cast(user=someone, item=item, entry=present[0], choice="yes")
    assert not VoteMark.objects.exists() and SecretTally.objects.get(item=item).yes == 0
    outsider = tf.user_with_role("villager", township.village_b)
    with pytest.raises(PermissionDenied):
        services.secret_vote_cast(user=outsider, item=item, entry=present[0], choice="yes")


def test_an_open_item_takes_no_secret_ballot_and_vice_versa(secret_vote):
    m, item, present = secret_vote
    with pytest.raises(ValidationFailed, match="无记名投票"):
        services.open_vote_record(user=None, item=item, entry=present[0], choice="yes")
    open_item = f.item(m)
    with pytest.raises(ValidationFailed, match="举手表决"):
        services.secret_vote_cast(user=None, item=open_item, entry=present[0], choice="yes")
    assert Item.objects.get(pk=open_item.pk).vote_status == Item.VOTE_OPEN
