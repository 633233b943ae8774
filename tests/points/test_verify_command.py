"""`xiangzhi points verify [--chain CODE]`: exit 0 with a summary on an honest ledger; exit status 1 naming the first
bad entry when a row was altered or removed, or when a balance disagrees with the entries."""

import pytest
from django.core.management import call_command
from django.db import connection

from tests.points import factories as pts
from xiangzhi.points.models import LedgerEntry, PointBalance

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return pts.cast(township)


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        call_command("points", "verify", *args)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_an_honest_ledger_passes(c, capsys):
    for n in (5, -3, 10):
        pts.give(c.home, n)
    pts.give(c.far, 4)
    code, out, err = run(capsys)
    assert (code, err) == (0, "")
    assert "校验通过：2 条链，4 条流水，2 个余额" in out


def test_an_altered_row_fails_and_is_named(c, capsys):
    entries = [pts.give(c.home, n) for n in (5, 6, 7)]
    LedgerEntry.objects.filter(pk=entries[1].pk).update(item_name="改过")
    code, out, err = run(capsys)
    assert code == 1
    assert (
        f"积分流水 #{entries[1].pk}（链 {entries[1].chain} 第 2 条）：内容与哈希不符" in err.splitlines()[0]
    )


def test_one_chain_only_and_an_unknown_chain(township, c, capsys):
    pts.give(c.far, 4)
    bad = pts.give(c.home, 5)
    LedgerEntry.objects.filter(pk=bad.pk).update(note="改")
    code, _, err = run(capsys, "--chain", township.village_b.code)
    assert code == 0 and err == ""
    code, _, err = run(capsys, "--chain", township.village_a.code)
    assert code == 1 and f"#{bad.pk}" in err
    code, _, err = run(capsys, "--chain", "141029201299")
    assert code == 1 and "没有链 141029201299" in err


def test_a_deleted_newest_entry_and_a_tampered_balance_fail(c, capsys):
    entries = [pts.give(c.home, n) for n in (5, 6)]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM points_ledgerentry WHERE id = %s", [entries[-1].pk])
    code, _, err = run(capsys)
    assert code == 1 and "链头" in err and "积分余额" in err


def test_a_balance_changed_behind_the_ledger_fails(c, capsys):
    pts.give(c.home, 5)
    PointBalance.objects.filter(household=c.home).update(earned=50)
    code, _, err = run(capsys)
    row = PointBalance.objects.get(household=c.home)
    assert code == 1 and f"积分余额 #{row.pk}（户 #{c.home.pk}）：累计 50" in err
