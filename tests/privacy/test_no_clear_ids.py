"""No full ID number in clear anywhere (DESIGN.md, "People").

1. A file-backed SQLite database (secure_delete on, WAL mode): the demo generator, a spreadsheet import with
   good and bad rows, and a worker pass, each run as the real `xiangzhi` command in a child process; then the
   database file, its WAL, the private files folder and everything the commands printed or logged are scanned.
2. The rows of every table of the database the suite runs on (SQLite or PostgreSQL), after the same steps.
3. Every page and API response for a role without `reveal_pii`: no full ID, nor a resident's full phone number or
   birth date (age only, DESIGN.md).
Each scan is checked against a positive control, so that it could fail.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from openpyxl import Workbook

from tests.people import factories as pf
from tests.privacy.scan import birth_dates, clear_ids, clear_ids_in_text, clear_phones
from xiangzhi.people import excel

VILLAGE = "141029201201"  # first demo village
GRID = "141029201201001"


def register_rows(n_good=6):
    good = [pf.id_number() for _ in range(n_good)]
    rows = []
    for i, number in enumerate(good):
        rows.append(
            [
                "第一组",
                f"T{i}",
                f"测试{i}",
                f"测试{i}",
                "户主",
                "",
                "",
                number,
                "13800001234",
                f"测试{i}号",
                "",
                GRID,
                "",
            ]
        )
    # bad rows: wrong check digit, a number stored as a number, a duplicate: their IDs must not be echoed either
    bad_check = good[0][:17] + ("0" if good[0][17] != "0" else "1")
    rows.append(["第一组", "B1", "错号", "错号", "户主", "", "", bad_check, "", "错号", "", GRID, ""])
    rows.append(["第一组", "B2", "重复", "重复", "户主", "", "", good[1], "", "重复", "", GRID, ""])
    return good, rows


def write_sheet(path: Path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = excel.SHEET_TITLE
    ws.append(excel.HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)


def run(cmd, env, log):
    proc = subprocess.run(
        [sys.executable, "-m", "xiangzhi.cli", *cmd], env=env, capture_output=True, timeout=300
    )
    log.write(proc.stdout + proc.stderr)
    assert proc.returncode in (0, 1), proc.stderr.decode()[-2000:]
    return proc


@pytest.mark.slow
def test_sqlite_file_wal_logs_and_files_hold_no_clear_id(tmp_path):
    var = tmp_path / "var"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": f"sqlite:///{var / 'scan.sqlite3'}",
        "XIANGZHI_VAR_DIR": str(var),
        "XIANGZHI_KEYS_FILE": str(var / "keys.json"),
        "XIANGZHI_PRIVATE_DIR": str(var / "private"),
        "XIANGZHI_DEMO": "1",
        "XIANGZHI_LOG_LEVEL": "DEBUG",
        "DJANGO_SETTINGS_MODULE": "xiangzhi.settings",
    }
    sheet = tmp_path / "input" / "台账.xlsx"
    sheet.parent.mkdir()
    good, rows = register_rows()
    write_sheet(sheet, rows)
    log = io.BytesIO()
    run(["migrate", "--noinput", "-v0"], env, log)
    run(["demo", "--households", "150"], env, log)
    imported = run(["people", "import", str(sheet), "--village", VILLAGE], env, log)
    run(["worker", "--once"], env, log)
    assert "错" in imported.stdout.decode() + imported.stderr.decode()  # the bad rows were reported

    # positive control: the input sheet holds the IDs (inside its zip), and the scanner finds them there
    import zipfile

    with zipfile.ZipFile(sheet) as z:
        xml = b"".join(z.read(n) for n in z.namelist())
    assert set(good) <= clear_ids(xml)

    scanned = []
    leaks = {}
    for path in sorted(var.rglob("*")):
        if path.is_file() and path.name != "keys.json":
            found = clear_ids(path.read_bytes())
            scanned.append(path.name)
            if found:
                leaks[str(path)] = sorted(found)[:3]
    found = clear_ids(log.getvalue())
    if found:
        leaks["command output and logs"] = sorted(found)[:3]
    assert "scan.sqlite3" in scanned
    assert not leaks, f"clear ID numbers found: {leaks}"

    # and the rows really are there, encrypted: decrypting one with the keys file gives a valid number
    import sqlite3

    db = sqlite3.connect(var / "scan.sqlite3")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        count, sample = db.execute("SELECT count(*), max(id_number) FROM people_resident").fetchone()
    finally:
        db.close()
    assert count > 150 and sample.startswith("k1:")


def _all_rows_text() -> str:
    chunks = []
    with connection.cursor() as cur:
        for model in apps.get_models(include_auto_created=True):
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            for row in cur.fetchall():
                chunks.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(chunks)


@pytest.mark.django_db
def test_no_table_row_holds_a_clear_id(tmp_path):
    call_command("demo", "--households", "60", stdout=io.StringIO())
    good, rows = register_rows()
    path = tmp_path / "register.xlsx"
    write_sheet(path, rows)
    from xiangzhi.regions.models import Region

    with open(path, "rb") as fh:
        from xiangzhi.people import services

        services.register_import(
            user=None, file=fh, village=Region.objects.get(code=VILLAGE), all_or_nothing=False
        )
    text = _all_rows_text()
    assert clear_ids_in_text(text) == set(), connection.vendor

    # control: a known ID's row is among the rows scanned, as its stored ciphertext; and the same ID, planted in
    # the scanned text where that ciphertext stands, is found
    from xiangzhi.core import crypto
    from xiangzhi.people.models import Resident

    known = good[2]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id_number FROM people_resident WHERE id_number_hash = %s",
            [crypto.lookup_hash(known, purpose="id_number")],
        )
        (stored,) = cur.fetchone()
    assert stored.startswith("k1:") and known not in stored
    assert json.dumps(stored, ensure_ascii=False) in text
    assert (
        Resident.objects.get(id_number_hash=crypto.lookup_hash(known, purpose="id_number")).id_number == known
    )
    assert clear_ids_in_text(text.replace(stored, known, 1)) == {known}


def _page_bytes(resp) -> bytes:
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if resp.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body)) as z:
            body = b"".join(z.read(n) for n in z.namelist())
    return body


def _sensitive():
    """The residents' real phones and birth dates (decrypted here, in the test), to look for on the pages."""
    from xiangzhi.people.models import Resident

    residents = list(Resident.objects.all())
    return {str(r.phone) for r in residents if r.phone}, {r.birth_date for r in residents}


def _leaks(body: bytes, phones, dates) -> dict:
    found = {
        "ids": clear_ids(body),
        "phones": clear_phones(body, phones),
        "birth_dates": birth_dates(body, dates),
    }
    return {k: sorted(v) for k, v in found.items() if v}


@pytest.mark.django_db
def test_pages_and_api_for_a_role_without_reveal_show_no_clear_id_phone_or_birth_date():
    from tests.factories import signed_in_client, user_with_role
    from tests.isolation import world as world_mod
    from tests.isolation.registry import Detail, Listing, specs_of
    from tests.isolation.test_every_route import ALL_ROUTES, _url
    from xiangzhi import policy
    from xiangzhi.people.models import Resident

    w = world_mod.build()
    pages = []
    for name in ALL_ROUTES:
        for spec in specs_of(name):
            if not isinstance(spec, Detail | Listing) or getattr(spec, "method", "get") != "get":
                continue
            registered = user = world_mod.viewer(w, spec.role, level=spec.level)
            if policy.can(user, "people.reveal_pii"):
                user = user_with_role("village_committee", w.home["village"])
            assert not policy.can(user, "people.reveal_pii")
            kwargs, _marker = spec.make(w.home_grid)
            url = _url(name, kwargs) if isinstance(spec, Detail) else _url(name, {}) + spec.query
            resp = signed_in_client(user).get(url)
            if resp.status_code == 403 and user is not registered:
                # A page only roles holding reveal_pii may open (party.change, …): it must show none of it to
                # them either, revealing being a separate, audited step.
                resp = signed_in_client(registered).get(url)
            assert resp.status_code == 200, name
            pages.append((name, _page_bytes(resp)))
    assert len(pages) >= 30

    phones, dates = _sensitive()
    assert (
        len(phones) >= 10 and len(dates) >= 10
    )  # the makers gave residents phones: there is something to find
    leaks = {name: found for name, body in pages if (found := _leaks(body, phones, dates))}
    assert leaks == {}

    # positive control: the same scan over the reveal answer of a role that holds reveal_pii finds the full ID,
    # the phone and the birth date, so a page that showed them would have been caught
    secretary = world_mod.viewer(w, "village_secretary")
    resident = Resident.objects.filter(region_code__startswith=w.home_grid.code).exclude(phone="").first()
    assert policy.can(secretary, "people.reveal_pii", resident)
    revealed = signed_in_client(secretary).post(_url("people:resident_reveal", {"pk": resident.pk}))
    assert revealed.status_code == 200
    assert _leaks(_page_bytes(revealed), phones, dates) == {
        "ids": [resident.id_number],
        "phones": [str(resident.phone)],
        "birth_dates": [f"{resident.birth_date:%Y-%m-%d}"],
    }
