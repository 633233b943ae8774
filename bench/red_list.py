"""Benchmark of the 红黑榜 for every village of a county on PostgreSQL: 300 villages, 100,000 households,
10,000,000 ledger entries.

    .venv/bin/python bench/red_list.py [--database-url URL] [--repeat 5] [--reset] [--explain]

Loads the county into a database of its own (default postgres://xiangzhi:xiangzhi@127.0.0.1:5432/xz_bench_honours,
created when missing, brought to the project's migrations, reused on later runs when it holds the same number of
entries). Then, with the clock at 2026-04-01 (March 2026 just ended; for the quarterly villages, Q1 2026), times in
the same run:

- baseline: one plain SQL statement per period kind (month, quarter) computing the same numbers for every village
  of that kind — each household's points earned in the period and its net violation points (violations plus the
  corrections that point at them) — grouped by village and household; two forms: `region_code = ANY(codes of the
  villages)` (the same index access as the code) and `region_code` prefix range over the county (what one writes
  first); the faster of the two is the baseline;
- compute: `honours.ranking.scores` for every village (one grouped ORM query per period kind over the county) plus
  the red and black lists in Python (what the job computes, nothing written);
- job: `honours.services.generate_due(today=2026-04-01)`, the periodic job itself: reads, ranks and writes 300
  lists with their entries and one audit record per list (the lists are deleted again between repetitions);
- one village on demand: `services.list_generate` for one village (a draft generated again each time).

Checks that compute and the baseline agree on every household's numbers. Target: compute and the job within 2× of
the baseline (median). Results go to var/bench/red_list-<timestamp>.json; exit status 1 on a miss.

THE LOAD bypasses the services on purpose: regions, schemes and households come from bulk ORM inserts, and the
10,000,000 ledger entries from `INSERT … SELECT generate_series` in chunks of 1,000,000 (plus ~15,000 correcting
entries). The ledger's secondary indexes and its unique and foreign-key constraints are dropped during the load and
made again afterwards from their own definitions (pg_indexes, pg_get_constraintdef); the foreign keys come back
NOT VALID (the generated rows are consistent by construction; every later write is checked), which saves five
full reads of the table. Posting through `points.ledger.post` one entry at a time (locks, hash chain, balance)
would take days and measure nothing the lists read; the hash columns are left empty (the chain is not verified
here). Entries are written in posting order, as a ledger grows: the day moves with the entry number over 36 months
(April 2023 – March 2026, ± 3 days); 87 % merit claims (+2…+10), 3 % violations (KF01 −5 or KF02 −20,
`is_violation`), 10 % redemptions (moving only 可用积分); 5 % of the violations corrected in full. A third of the
villages rank by quarter, the rest by month. The first run (load included) takes about 6–7 minutes on 2 cores;
later runs reuse the database and take 1–2 minutes.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402

DEFAULT_DB = f"{benchlib.DEFAULT_SERVER}/xz_bench_honours"
COUNTY = "141029"
TOWNS, VILLAGES, GRIDS = 10, 30, 4
HOUSEHOLDS = 100_000
ENTRIES = 10_000_000
CHUNK = 1_000_000
TODAY = "2026-04-01"
TARGET = 2.0
OUT_DIR = benchlib.ROOT / "var" / "bench"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=DEFAULT_DB)
    p.add_argument("--repeat", type=int, default=5, help="timed repetitions per case (after one warm-up)")
    p.add_argument("--reset", action="store_true", help="drop and load the bench database again")
    p.add_argument("--explain", action="store_true", help="keep the plans of the statements in the report")
    return p.parse_args(argv)


def drop_database(database_url: str) -> None:
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the load ------------------------------------------------------------------------------------------------------


def loaded() -> bool:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM points_ledgerentry WHERE kind <> 'correction'")
        return cur.fetchone()[0] == ENTRIES


def load() -> dict:
    from django.db import connection, transaction

    from xiangzhi.accounts import services as account_services
    from xiangzhi.accounts.models import User
    from xiangzhi.points.models import PointItem, PointScheme
    from xiangzhi.regions.models import Region

    timings = {}
    t0 = time.monotonic()
    with transaction.atomic():
        county = Region.objects.create(code=COUNTY, name="乡宁县", level="county")
        towns, villages, grids = [], [], []
        for t in range(TOWNS):
            towns.append(
                Region(code=f"{COUNTY}{201 + t:03d}", name=f"第{t + 1}乡", level="town", parent=county)
            )
        Region.objects.bulk_create(towns)
        for town in towns:
            for v in range(VILLAGES):
                villages.append(
                    Region(
                        code=f"{town.code}{201 + v:03d}",
                        name=f"{town.name}{v + 1}村",
                        level="village",
                        parent=town,
                    )
                )
        Region.objects.bulk_create(villages)
        for village in villages:
            for g in range(GRIDS):
                grids.append(
                    Region(
                        code=f"{village.code}{g + 1:03d}",
                        name=f"{village.name}第{g + 1}网格",
                        level="grid",
                        parent=village,
                    )
                )
        Region.objects.bulk_create(grids)
        now = "2026-01-01T00:00:00+08:00"
        schemes = [
            PointScheme(
                region=v,
                region_code=v.code,
                name=f"{v.name}文明积分方案",
                status=PointScheme.ACTIVE,
                period="quarter" if i % 3 == 0 else "month",  # a third of the villages rank by quarter
                red_list_size=5,
                created_at=now,
                activated_at=now,
            )
            for i, v in enumerate(villages)
        ]
        PointScheme.objects.bulk_create(schemes)
        PointItem.objects.bulk_create(
            [
                PointItem(scheme=s, code=code, name=name, points=pts, is_violation=pts < 0, category="other")
                for s in schemes
                for code, name, pts in (
                    ("HJ01", "庭院整洁", 5),
                    ("KF01", "乱堆乱放", -5),
                    ("KF02", "酒席大操大办", -20),
                )
            ]
        )
        secretary = User.objects.create_user(
            username="bench_secretary", password=None, full_name="基准村书记"
        )
    account_services.role_grant(user=secretary, role="village_secretary", region=villages[1])
    timings["regions_schemes_seconds"] = round(time.monotonic() - t0, 1)

    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("DROP TABLE IF EXISTS bench_grid")
        cur.execute(
            "CREATE UNLOGGED TABLE bench_grid AS SELECT (row_number() OVER (ORDER BY code))::int - 1 AS k, id, code"
            " FROM regions_region WHERE level = 'grid'"
        )
        cur.execute(
            """
            INSERT INTO people_household (region_id, region_code, number, group_name, address, head_id, head_name,
                head_initials, tags, member_count, status, created_at, updated_at)
            SELECT g.id, g.code, 'H' || s, '', g.code || '号院' || s, NULL,
                   (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴'])[1 + s %% 10] || '户' || s,
                   '', '', 3, 'active', now(), now()
            FROM generate_series(0, %s - 1) AS s JOIN bench_grid g ON g.k = s %% %s
            """,
            [HOUSEHOLDS, TOWNS * VILLAGES * GRIDS],
        )
        cur.execute("DROP TABLE IF EXISTS bench_hh")
        cur.execute(
            "CREATE UNLOGGED TABLE bench_hh AS SELECT (row_number() OVER (ORDER BY id))::int - 1 AS k, id,"
            " region_code FROM people_household"
        )
        cur.execute("ALTER TABLE bench_hh ADD PRIMARY KEY (k)")
        cur.execute("ANALYZE bench_hh")
    timings["households_seconds"] = round(time.monotonic() - t0, 1)

    # the ledger's secondary indexes and its foreign-key and unique constraints are made again after the load
    # (from their own definitions: pg_indexes, pg_get_constraintdef), each in one pass over the table
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'points_ledgerentry'::regclass AND contype IN ('f', 'u')"
        )
        constraints = cur.fetchall()
        for name, _ in constraints:
            cur.execute(f'ALTER TABLE points_ledgerentry DROP CONSTRAINT "{name}"')
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'points_ledgerentry'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'points_ledgerentry'::regclass)"
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    t0 = time.monotonic()
    done = 0
    while done < ENTRIES:
        n = min(CHUNK, ENTRIES - done)
        with connection.cursor() as cur:
            cur.execute("SET synchronous_commit = off")
            cur.execute(
                """
                WITH s AS (
                    SELECT g, (hashint4(g::int) & 2147483647) %% %(hh)s AS k, random() AS r, random() AS r2,
                           -- in the order of posting, as a ledger grows: the day moves with g (± 3 days)
                           least(1095, greatest(0, floor(g * 1096.0 / %(n)s + (random() - 0.5) * 6)))::int AS d
                    FROM generate_series(%(a)s::bigint, %(b)s::bigint - 1) AS g
                )
                INSERT INTO points_ledgerentry (chain, seq, region_code, household_id, party_member_id, kind,
                    earned_delta, available_delta, item_id, item_code, item_name, category, is_violation, source_ref,
                    corrects_id, occurred_on, at, actor_id, actor_label, note, earned_after, available_after,
                    prev_hash, hash)
                SELECT substr(h.region_code, 1, 12), g, h.region_code, h.id, NULL,
                    CASE WHEN r < 0.10 THEN 'redemption' ELSE 'claim' END,
                    CASE WHEN r < 0.10 THEN 0 WHEN r < 0.115 THEN -5 WHEN r < 0.13 THEN -20
                         ELSE 2 + floor(r2 * 9)::int END,
                    CASE WHEN r < 0.10 THEN -1 WHEN r < 0.13 THEN 0 ELSE 2 + floor(r2 * 9)::int END,
                    NULL,
                    CASE WHEN r < 0.10 THEN '' WHEN r < 0.115 THEN 'KF01' WHEN r < 0.13 THEN 'KF02' ELSE 'HJ01' END,
                    CASE WHEN r < 0.10 THEN '' WHEN r < 0.115 THEN '乱堆乱放' WHEN r < 0.13 THEN '酒席大操大办'
                         ELSE '庭院整洁' END,
                    CASE WHEN r < 0.10 THEN '' ELSE 'other' END,
                    r >= 0.10 AND r < 0.13,
                    '', NULL,
                    DATE '2023-04-01' + d, TIMESTAMPTZ '2023-04-01 12:00+08' + (d + 1) * INTERVAL '1 day',
                    NULL, 'bench', '', 0, 0, '', ''
                FROM s JOIN bench_hh h USING (k)
                """,
                {"hh": HOUSEHOLDS, "a": done, "b": done + n, "n": ENTRIES},
            )
        done += n
        rate = done / (time.monotonic() - t0)
        print(f"  已载入 {done:,} 条积分流水（{rate:,.0f} 条/秒）", flush=True)
    with connection.cursor() as cur:
        # 5 % of the violations corrected in full, in the period of what they correct
        cur.execute(
            """
            INSERT INTO points_ledgerentry (chain, seq, region_code, household_id, party_member_id, kind,
                earned_delta, available_delta, item_id, item_code, item_name, category, is_violation, source_ref,
                corrects_id, occurred_on, at, actor_id, actor_label, note, earned_after, available_after, prev_hash,
                hash)
            SELECT chain, seq + %s, region_code, household_id, NULL, 'correction', -earned_delta, 0, NULL, '', '', '',
                   false, 'entry:' || id, id, occurred_on, now(), NULL, 'bench', '认定有误', 0, 0, '', ''
            FROM points_ledgerentry WHERE is_violation AND id %% 20 = 0
            """,
            [ENTRIES],
        )
    timings["ledger_insert_seconds"] = round(time.monotonic() - t0, 1)
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cur.execute(definition)
        for name, definition in constraints:
            # foreign keys NOT VALID: the generated rows are consistent by construction, and every later write is
            # checked; validating five of them would read the 10,000,000 rows five times more
            suffix = " NOT VALID" if definition.startswith("FOREIGN KEY") else ""
            cur.execute(f'ALTER TABLE points_ledgerentry ADD CONSTRAINT "{name}" {definition}{suffix}')
        cur.execute("DROP TABLE bench_grid")
        cur.execute("DROP TABLE bench_hh")
        cur.execute("VACUUM ANALYZE points_ledgerentry")
        cur.execute("VACUUM ANALYZE people_household")
    timings["indexes_vacuum_analyze_seconds"] = round(time.monotonic() - t0, 1)
    return timings


# -- the measurements ----------------------------------------------------------------------------------------------


BASELINE_SQL = """
SELECT substr(e.region_code, 1, 12) AS village, e.household_id,
       sum(CASE WHEN e.kind IN ('claim', 'correction') THEN e.earned_delta ELSE 0 END) AS earned,
       sum(CASE WHEN e.is_violation OR c.is_violation THEN e.earned_delta ELSE 0 END) AS violation_points
FROM points_ledgerentry e LEFT JOIN points_ledgerentry c ON c.id = e.corrects_id
WHERE {where} AND e.household_id IS NOT NULL AND e.occurred_on BETWEEN %s AND %s
GROUP BY 1, 2
"""


def groups():
    """[(period, start, end, [village codes], [their region codes])] for the period just ended."""
    import datetime as dt

    from xiangzhi.honours import ranking
    from xiangzhi.points import periods
    from xiangzhi.points.models import PointScheme

    today = dt.date.fromisoformat(TODAY)
    by_period = {}
    for code, period in PointScheme.objects.filter(status="active", is_template=False).values_list(
        "region_code", "period"
    ):
        by_period.setdefault(period, []).append(code)
    out = []
    for period, villages in sorted(by_period.items()):
        start, end = periods.previous(today, period)
        codes = [c for cs in ranking.region_codes(villages).values() for c in cs]
        out.append((period, start, end, villages, codes))
    return out


def baseline(form: str) -> dict:
    from django.db import connection

    result = {}
    with connection.cursor() as cur:
        for _period, start, end, villages, codes in groups():
            if form == "any":
                cur.execute(BASELINE_SQL.format(where="e.region_code = ANY(%s)"), [codes, start, end])
            else:
                cur.execute(
                    BASELINE_SQL.format(where="e.region_code >= %s AND e.region_code < %s"),
                    [COUNTY, COUNTY + "~", start, end],
                )
            wanted = set(villages)
            for village, hid, earned, vpoints in cur.fetchall():
                if village in wanted:
                    result[hid] = (earned, vpoints)
    return result


def compute() -> dict:
    from xiangzhi.honours import ranking

    result, lists = {}, 0
    for _period, start, end, villages, _codes in groups():
        scores = ranking.scores(villages, start, end)
        for village in villages:
            by_household = scores.get(village, {})
            ranking.red_list(by_household, 5)
            ranking.black_list(by_household)
            lists += 1
            for hid, s in by_household.items():
                result[hid] = (s.earned, s.violation_points)
    return result


def clear_lists() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM honours_appeal")
        cur.execute("DELETE FROM honours_honourentry")
        cur.execute("DELETE FROM honours_honourlist")


def job() -> int:
    import datetime as dt

    from xiangzhi.honours import services

    clear_lists()
    made = services.generate_due(today=dt.date.fromisoformat(TODAY))
    assert made == TOWNS * VILLAGES, made
    return made


def on_demand():
    import datetime as dt

    from xiangzhi.accounts.models import User
    from xiangzhi.honours import services
    from xiangzhi.regions.models import Region

    user = User.objects.get(username="bench_secretary")
    village = Region.objects.get(code=f"{COUNTY}201202")
    return services.list_generate(user=user, village=village, day=dt.date(2026, 3, 1))


def timed(fn, repeat: int) -> tuple[dict, object, list]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up
    samples, out, statements = [], None, 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            out = fn()
            samples.append((time.perf_counter() - t0) * 1000)
        statements = len(q.captured_queries)
    return {**benchlib.summary_ms(samples), "sql_statements": statements}, out, samples


def explain(sql: str, params) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [r[0] for r in cur.fetchall()]


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.reset:
        drop_database(args.database_url)
    benchlib.ensure_database(args.database_url)
    benchlib.setup_django(args.database_url)
    from django.core.management import call_command

    from xiangzhi.core import clock

    started = time.monotonic()
    t0 = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    report = {"migrate_seconds": round(time.monotonic() - t0, 1)}
    if not loaded():
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM regions_region")
            if cur.fetchone()[0]:
                sys.exit("数据库不是空的，也不是完整的基准数据：请加 --reset 重新载入。")
        print(f"正在载入：{TOWNS * VILLAGES} 个村、{HOUSEHOLDS:,} 户、{ENTRIES:,} 条积分流水 …", flush=True)
        report["load"] = load()
        print(f"  载入用时 {report['load']}", flush=True)
    else:
        report["load"] = "reused"
    import datetime as dt
    from zoneinfo import ZoneInfo

    clock.set_fixed(dt.datetime(2026, 4, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    report["machine"] = benchlib.machine()
    gs = groups()
    report["periods"] = [
        {"period": p, "start": str(s), "end": str(e), "villages": len(v), "region_codes": len(c)}
        for p, s, e, v, c in gs
    ]
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM points_ledgerentry")
        report["ledger_entries"] = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM points_ledgerentry WHERE (occurred_on BETWEEN '2026-03-01' AND '2026-03-31')"
            " OR (occurred_on BETWEEN '2026-01-01' AND '2026-03-31' AND substr(region_code, 1, 12) IN"
            " (SELECT region_code FROM points_pointscheme WHERE period = 'quarter'))"
        )
        report["entries_in_the_periods"] = cur.fetchone()[0]

    cases = {}
    print("正在测量 …", flush=True)
    cases["baseline: SQL, region_code = ANY(codes)"], base_any, _ = timed(
        lambda: baseline("any"), args.repeat
    )
    cases["baseline: SQL, county prefix range"], base_range, _ = timed(lambda: baseline("range"), args.repeat)
    cases["compute: ranking.scores + red/black lists"], computed, _ = timed(compute, args.repeat)
    cases["job: services.generate_due (300 lists written)"], _made, _ = timed(job, args.repeat)
    cases["one village on demand: services.list_generate"], _hl, _ = timed(on_demand, args.repeat)
    agree = computed == base_any == base_range
    base = min(
        cases["baseline: SQL, region_code = ANY(codes)"]["median_ms"],
        cases["baseline: SQL, county prefix range"]["median_ms"],
    )
    for c in cases.values():
        c["x_baseline_median"] = round(c["median_ms"] / base, 2)
    report["cases"] = cases
    report["households_compared"] = len(computed)
    report["compute_equals_baseline"] = agree
    report["baseline_median_ms"] = base
    report["target"] = f"compute and job median ≤ {TARGET}× baseline"
    misses = [
        n
        for n in (
            "compute: ranking.scores + red/black lists",
            "job: services.generate_due (300 lists written)",
        )
        if cases[n]["x_baseline_median"] > TARGET
    ]
    report["misses"] = misses
    if args.explain or misses:
        p, s, e, _v, codes = gs[0]
        report["plans"] = {
            "baseline_any": explain(BASELINE_SQL.format(where="e.region_code = ANY(%s)"), [codes, s, e]),
            "baseline_range": explain(
                BASELINE_SQL.format(where="e.region_code >= %s AND e.region_code < %s"),
                [COUNTY, COUNTY + "~", s, e],
            ),
        }
    if args.explain or misses:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as q:
            compute()
        ours = [x["sql"] for x in q.captured_queries if "points_ledgerentry" in x["sql"]]
        with connection.cursor() as cur:
            for i, sql in enumerate(ours):
                sql = sql[sql.index("SELECT") :] if sql.startswith("DECLARE") else sql
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                report["plans"][f"compute_{i}"] = [r[0] for r in cur.fetchall()]
    report["load_average_after"] = benchlib.load_average()
    report["total_seconds"] = round(time.monotonic() - started, 1)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"red_list-{time.strftime('%Y%m%d-%H%M%S')}.json"
    import json

    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    print(f"\n{'case':<50} {'median ms':>10} {'p95 ms':>10} {'× base':>7} {'SQL':>5}")
    for name, c in cases.items():
        print(
            f"{name:<50} {c['median_ms']:>10.1f} {c['p95_ms']:>10.1f} {c['x_baseline_median']:>7.2f} {c['sql_statements']:>5}"
        )
    print(f"\n{len(computed):,} 户的本期积分与违规扣分：与基线{'一致' if agree else '不一致！'}")
    print(f"报告：{out}；总用时 {report['total_seconds']} 秒；未达标：{misses or '无'}")
    return 1 if misses or not agree else 0


if __name__ == "__main__":
    sys.exit(main())
