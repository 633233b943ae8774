"""Benchmark of the town's case list and figures over 1,000,000 cases on PostgreSQL.

    .venv/bin/python bench/case_list.py [--cases 1000000] [--town-share 0.3] [--database-url URL] [--requests 60]
                                        [--rollup full|keep] [--rollup-check 100] [--remigrate-indexes]
                                        [--reset] [--explain]

Loads a county of cases into a database of its own (default postgres://xiangzhi:xiangzhi@127.0.0.1:5432/
xz_bench_cases, created when missing; reused on later runs when it holds the same number of cases). Every run
first brings that database to the project's migrations (`migrate`, timed: on a reused database that is how new
indexes get built over the million rows; `--remigrate-indexes` takes `cases` back to 0003 and forward again to
time the list indexes of cases/0004 once more). It then runs the figures rollup over all cases,
`figures.rollup(full=True)` (timed), rebuilds a sample of region-months with `figures.rebuild` (timed; their
rows must equal the full rollup's), and times, as the town leader of the measured town (its grant covers every
case of the town):

- the list as the page builds it: `selectors.case_list(user=…, **filters)` then `Paginator(qs, 20).page(n)` and
  the page's rows (the paginator's COUNT and the page's SELECT), for the first page, state=open, one category,
  one village, overdue only, and page 50;
- the figures: `figures.figures(user=…, start=<a year ago>, end=today)`, for the town and for one village;
- the real page /cases/ through Django's test client (middleware, policy, selector, paginator, template);
- baselines in the same run: a primary-key fetch of one case (the ratio's base) and `SELECT 1`.

Everything measured is the code in src/ as it is: the bench patches nothing.

Each case reports median and p95 in ms, the ratios to the baseline and the SQL statements it ran. With --explain
(or for a case that misses the target) the plans of its statements (EXPLAIN ANALYZE, BUFFERS) are printed and kept
in the report, bench/results/case_list-postgresql-<timestamp>.json (git-ignored). The target is p95 < 150 ms.

The LOAD bypasses the services on purpose (one INSERT … SELECT over generate_series per 100,000 cases, the way a
migration from an older system would arrive): the services write one case at a time with its timeline, audit
record and notifications, which for a million cases would take hours and measure nothing the list reads. Every
column the list, the page and the figures read is filled: region (grid or village) and its code, state, category,
三事 type, level/handler/department, max level, report time over three years, deadline, overdue flags, resolved
and closed times, on-time flag, rating, reopen count. Regions, departments and the user are made through the
services. No CaseAssignment/CaseEvent rows are made (the list and figures do not read them).
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402

TARGET_P95_MS = 150.0
DEFAULT_DB = f"{benchlib.DEFAULT_SERVER}/xz_bench_cases"
COUNTY = "141029"
TOWNS = 10
VILLAGES = 30  # per town
GRIDS = 4  # per village
SLOTS = 100_000  # resolution of the region distribution
CHUNK = 100_000
DEPARTMENTS = [
    ("yingji", "应急办"),
    ("paichusuo", "派出所"),
    ("sifa", "司法所"),
    ("nongye", "农业农村办"),
    ("minzheng", "民政办"),
    ("zhifa", "综合执法队"),
    ("xinfang", "信访办"),
]
LEADER = "bench_town_leader"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument(
        "--town-share", type=float, default=0.3, help="share of the county's cases in the measured town"
    )
    p.add_argument("--database-url", default=DEFAULT_DB)
    p.add_argument("--requests", type=int, default=60, help="timed repetitions per case (after 3 warm-ups)")
    p.add_argument("--reset", action="store_true", help="drop and rebuild the bench database")
    p.add_argument(
        "--explain", action="store_true", help="print the plans of every case, not only the misses"
    )
    p.add_argument(
        "--rollup",
        choices=("full", "keep"),
        default="full",
        help="full: run figures.rollup(full=True) (timed); keep: reuse the rollup rows already there",
    )
    p.add_argument(
        "--rollup-check",
        type=int,
        default=100,
        help="region-months rebuilt one by one with figures.rebuild (timed), each compared with the full rollup",
    )
    p.add_argument(
        "--remigrate-indexes",
        action="store_true",
        help="migrate cases back to 0003 and forward again, to time building the list indexes of 0004 again",
    )
    p.add_argument("--seed", type=int, default=2024)
    return p.parse_args(argv)


def drop_database(database_url: str) -> None:
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"已删除数据库 {name}。", flush=True)


# -- the load --------------------------------------------------------------------------------------------------


def town_code(i: int) -> str:
    return f"{COUNTY}{201 + i:03d}"


def build_regions() -> dict:
    """1 county, 10 towns, 30 villages each, 4 grids each (1,351 regions), 7 departments a town; the town leader."""
    from xiangzhi.accounts import services as account_services
    from xiangzhi.accounts.models import User
    from xiangzhi.core.services import department_create
    from xiangzhi.regions.services import region_create

    county = region_create(code=COUNTY, name="乡宁县")
    towns = []
    for t in range(TOWNS):
        town = region_create(code=town_code(t), name=f"第{t + 1}乡", parent=county)
        towns.append(town)
        for v in range(VILLAGES):
            village = region_create(
                code=f"{town.code}{201 + v:03d}", name=f"{town.name}{v + 1}村", parent=town
            )
            for g in range(GRIDS):
                region_create(
                    code=f"{village.code}{g + 1:03d}", name=f"{village.name}第{g + 1}网格", parent=village
                )
        for code, name in DEPARTMENTS:
            department_create(town=town, name=name, code=code)
    leader = User.objects.create_user(username=LEADER, password=None, full_name="基准乡镇书记")
    account_services.role_grant(user=leader, role="town_leader", region=towns[0])
    return {"county": county.code, "measured_town": towns[0].code}


def fill_slots(cursor, town_share: float) -> None:
    """bench_slot: SLOTS slots mapped onto the regions a case can be filed at (a grid, 85 %, or its village without
    a grid, 15 %), the measured town holding `town_share` of them, the other towns sharing the rest evenly."""
    from xiangzhi.regions.models import Region

    targets = []  # (weight, region id, code, is_grid)
    regions = Region.objects.filter(level__in=("village", "grid")).order_by("code")
    for r in regions:
        town_w = town_share if r.code.startswith(town_code(0)) else (1 - town_share) / (TOWNS - 1)
        per_village = town_w / VILLAGES
        w = per_village * (0.85 / GRIDS if r.level == "grid" else 0.15)
        targets.append((w, r.pk, r.code, r.level == "grid"))
    total = sum(t[0] for t in targets)
    cursor.execute("DROP TABLE IF EXISTS bench_slot")
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_slot (slot int PRIMARY KEY, region_id bigint, region_code varchar(18),"
        " is_grid boolean)"
    )
    rows, acc, slot = [], 0.0, 0
    for w, pk, code, is_grid in targets:
        acc += w / total
        upto = round(acc * SLOTS)
        while slot < upto:
            rows.append((slot, pk, code, is_grid))
            slot += 1
    while slot < SLOTS:  # rounding
        rows.append((slot, *targets[-1][1:]))
        slot += 1
    with cursor.copy("COPY bench_slot (slot, region_id, region_code, is_grid) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute("DROP TABLE IF EXISTS bench_dept")
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_dept AS SELECT region_code AS town_code,"
        " (row_number() OVER (PARTITION BY region_code ORDER BY id))::int - 1 AS k, id FROM core_department"
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_dept (town_code, k)")


CATEGORIES = [
    # code, weight, a title
    ("DISPUTE", 0.20, "邻里宅基地界址纠纷"),
    ("ENVIRONMENT", 0.20, "村口垃圾堆放多日无人清理"),
    ("INFRASTRUCTURE", 0.15, "村道路面塌陷需修补"),
    ("SAFETY", 0.10, "危房墙体开裂存在安全隐患"),
    ("SECURITY", 0.05, "夜间有人偷倒建筑垃圾"),
    ("LIVELIHOOD", 0.15, "低保申请材料咨询"),
    ("AGRICULTURE", 0.08, "灌溉水渠堵塞影响浇地"),
    ("PETITION", 0.03, "反映土地流转费用未到位"),
    ("OTHER", 0.04, "其他群众诉求"),
]


def _category_sql() -> tuple[str, str, str]:
    """(index expression over r_cat, codes array, titles array) — the category mix above."""
    acc, whens = 0.0, []
    for i, (_, w, _) in enumerate(CATEGORIES, start=1):
        acc += w
        whens.append(f"WHEN r_cat < {acc:.4f} THEN {i}")
    index = "CASE " + " ".join(whens) + f" ELSE {len(CATEGORIES)} END"
    codes = "ARRAY[" + ",".join(f"'{c}'" for c, _, _ in CATEGORIES) + "]"
    titles = "ARRAY[" + ",".join(f"'{t}'" for _, _, t in CATEGORIES) + "]"
    return index, codes, titles


def insert_sql() -> str:
    cat_index, cat_codes, cat_titles = _category_sql()
    return f"""
WITH s AS (
    SELECT g,
           floor(random() * {SLOTS})::int AS slot,
           now() - random() * interval '1095 days' AS rep,
           random() AS r_state, random() AS r_cat, random() AS r_tri, random() AS r_lvl,
           random() AS r_rate, random() AS r_time, random() AS r_src, random() AS r_misc
    FROM generate_series(%(a)s::bigint, %(b)s::bigint - 1) AS g
), t AS (
    SELECT s.*, sl.region_id, sl.region_code, sl.is_grid,
        CASE WHEN rep < now() - interval '60 days' THEN
            CASE WHEN r_state < 0.955 THEN 'closed' WHEN r_state < 0.965 THEN 'merged'
                 WHEN r_state < 0.975 THEN 'verified' WHEN r_state < 0.985 THEN 'resolved'
                 WHEN r_state < 0.990 THEN 'suspended' WHEN r_state < 0.995 THEN 'deliberating'
                 ELSE 'in_progress' END
        ELSE
            CASE WHEN r_state < 0.08 THEN 'reported' WHEN r_state < 0.18 THEN 'assigned'
                 WHEN r_state < 0.36 THEN 'in_progress' WHEN r_state < 0.39 THEN 'suspended'
                 WHEN r_state < 0.41 THEN 'deliberating' WHEN r_state < 0.49 THEN 'resolved'
                 WHEN r_state < 0.55 THEN 'verified' WHEN r_state < 0.58 THEN 'merged'
                 ELSE 'closed' END
        END AS state,
        {cat_index} AS cat_i,
        CASE WHEN r_tri < 0.5 THEN 'civil' WHEN r_tri < 0.8 THEN 'village' ELSE 'government' END AS tri,
        rep + (1 + floor(r_time * 10)) * interval '1 day' AS due_at
    FROM s JOIN bench_slot sl USING (slot)
), u AS (
    SELECT t.*,
        CASE WHEN state = 'reported' THEN (CASE WHEN is_grid THEN 'grid' ELSE 'village' END)
             WHEN r_lvl < 0.02 THEN 'county'
             WHEN tri = 'government' OR r_lvl < 0.08 THEN 'town'
             WHEN tri = 'village' OR NOT is_grid OR r_lvl < 0.20 THEN 'village'
             ELSE 'grid' END AS lvl,
        (state IN ('reported', 'assigned', 'in_progress') AND due_at < now()) AS overdue,
        CASE WHEN state IN ('resolved', 'verified', 'closed')
             THEN LEAST(now(), rep + r_time * (due_at - rep) * 1.15) END AS resolved
    FROM t
), v AS (
    SELECT u.*,
        overdue OR (state IN ('resolved', 'verified', 'closed') AND r_misc < 0.08) AS was_over,
        CASE WHEN lvl = 'town' AND tri = 'government' THEN 'department' ELSE lvl END AS handler,
        CASE WHEN state = 'closed' THEN LEAST(now(), resolved + (1 + r_misc * 3) * interval '1 day')
             WHEN state = 'merged' THEN LEAST(now(), rep + interval '1 day') END AS closed
    FROM u
)
INSERT INTO cases_case (
    region_code, region_id, title, description, place, latitude, longitude, category, subcategory_id, triage,
    urgency, confidential_reporter, source, reporter_id, reporter_name, reporter_phone, hotline_number,
    idempotency_key, state, level, handler, department_id, deadline, is_overdue, was_overdue, max_level,
    reopen_count, extension_count, rating, rating_source, merged_into_id, matter_ref, result, reported_at,
    resolved_at, closed_at, closed_on_time, paused_at, last_seq, version, updated_at
)
SELECT
    region_code, region_id,
    ({cat_titles})[cat_i] || '（' || g || '）',
    ({cat_titles})[cat_i] || '。群众反映情况属实，请尽快核实处理，并及时反馈办理结果。编号 ' || g,
    '', NULL, NULL,
    CASE WHEN state = 'reported' AND r_misc < 0.5 THEN '' ELSE ({cat_codes})[cat_i] END,
    NULL,
    CASE WHEN state = 'reported' THEN '' ELSE tri END,
    CASE WHEN r_misc < 0.90 THEN 'normal' WHEN r_misc < 0.98 THEN 'urgent' ELSE 'critical' END,
    cat_i = 8,
    CASE WHEN r_src < 0.35 THEN 'api' WHEN r_src < 0.55 THEN 'web' WHEN r_src < 0.75 THEN 'patrol'
         WHEN r_src < 0.85 THEN 'visit' WHEN r_src < 0.97 THEN 'hotline' ELSE 'open311' END,
    NULL, '', '',
    CASE WHEN r_src >= 0.85 AND r_src < 0.97 THEN 'BENCH' || g ELSE '' END,
    '',
    state, lvl, handler,
    CASE WHEN handler = 'department'
         THEN (SELECT d.id FROM bench_dept d WHERE d.town_code = substr(region_code, 1, 9) AND d.k = g %% 7) END,
    due_at,
    overdue,
    was_over,
    lvl,
    CASE WHEN state = 'closed' AND r_rate > 0.97 THEN 1 ELSE 0 END,
    0,
    CASE WHEN state <> 'closed' THEN ''
         WHEN r_rate < 0.70 THEN 'satisfied' WHEN r_rate < 0.85 THEN 'partly'
         WHEN r_rate < 0.90 THEN 'unsatisfied' ELSE 'unrated' END,
    CASE WHEN state <> 'closed' OR r_rate >= 0.90 THEN '' WHEN r_misc < 0.6 THEN 'reporter' ELSE 'visit' END,
    CASE WHEN state = 'merged' THEN %(anchor)s::bigint END,
    '',
    CASE WHEN state = 'closed' THEN '已处理完毕，群众认可。' ELSE '' END,
    rep, resolved, closed,
    CASE WHEN resolved IS NOT NULL THEN NOT was_over END,
    CASE WHEN state IN ('suspended', 'deliberating') THEN now() - r_time * interval '30 days' END,
    1 + floor(r_misc * 8)::int,
    1 + floor(r_misc * 8)::int,
    LEAST(now(), COALESCE(closed, resolved, rep + interval '1 hour'))
FROM v
"""


def load(args) -> dict:
    from django.db import connection

    from xiangzhi.cases.models import Case
    from xiangzhi.regions.models import Region

    timings = {}
    started = time.monotonic()
    info = build_regions()
    timings["regions_seconds"] = round(time.monotonic() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(args.seed % 1000) / 1000])
        fill_slots(cursor.connection.cursor(), args.town_share)
    grid = Region.objects.filter(level="grid").order_by("code").first()
    anchor = Case.objects.create(
        region=grid,
        region_code=grid.code,
        title="合并目标",
        description="重复事件并入的那一件。",
        source="web",
        state=Case.CLOSED,
        level="grid",
        max_level="grid",
        handler="grid",
    )
    sql = insert_sql()
    t0 = time.monotonic()
    done = 1
    while done < args.cases:
        n = min(CHUNK, args.cases - done)
        with connection.cursor() as cursor:
            cursor.execute(sql, {"a": done, "b": done + n, "anchor": anchor.pk})
        done += n
        rate = (done - 1) / (time.monotonic() - t0)
        print(f"  已载入 {done:,} 件（{rate:,.0f} 件/秒）", flush=True)
    timings["insert_seconds"] = round(time.monotonic() - t0, 1)
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_slot")
        cursor.execute("DROP TABLE bench_dept")
        cursor.execute("VACUUM ANALYZE cases_case")
    timings["vacuum_analyze_seconds"] = round(time.monotonic() - t0, 1)
    return {**info, **timings}


LIST_INDEXES = "0004_list_indexes"


def _index_names(migration: str) -> list[str]:
    """The names of the indexes a migration of cases adds."""
    import importlib

    module = importlib.import_module(f"xiangzhi.cases.migrations.{migration}")
    return [op.index.name for op in module.Migration.operations if hasattr(op, "index")]


def migrate(remigrate_indexes: bool) -> dict:
    """Bring the bench database to the project's migrations, timing the list indexes of cases/0004 (built over
    every case already there) apart from the rest."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if remigrate_indexes:
        print("正在把 cases 迁回 0003（删去列表索引）…", flush=True)
        call_command("migrate", "cases", "0003_rollup_fields", verbosity=0, interactive=False)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{m.app_label}.{m.name}" for m, _ in plan]
    out: dict = {"migrations_applied": pending}
    if f"cases.{LIST_INDEXES}" in pending:
        names = _index_names(LIST_INDEXES)
        with connection.cursor() as cursor:
            # indexes of these names made by an older version of this bench (in SQL, before 0004 existed)
            for name in names:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            cursor.execute("SELECT count(*) FROM cases_case")
            rows = cursor.fetchone()[0]
        print(f"正在迁移 cases.{LIST_INDEXES}（在 {rows:,} 件事件上建 {len(names)} 个索引）…", flush=True)
        t0 = time.monotonic()
        call_command("migrate", "cases", LIST_INDEXES, verbosity=0, interactive=False)
        out["list_indexes_seconds"] = round(time.monotonic() - t0, 1)
        out["list_indexes_over_cases"] = rows
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c WHERE c.relname = ANY(%s)", [names]
            )
            out["list_indexes_mb"] = {n: round(size / 2**20, 1) for n, size in cursor.fetchall()}
        print(f"  用时 {out['list_indexes_seconds']} 秒，索引大小（MB）{out['list_indexes_mb']}", flush=True)
    t0 = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    out["migrate_rest_seconds"] = round(time.monotonic() - t0, 1)
    if pending:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")
    return out


def run_rollup() -> dict:
    """`figures.rollup(full=True)` over every case, timed; then `VACUUM ANALYZE` of the rollup table."""
    from django.db import connection

    from xiangzhi.cases import figures

    print("正在运行 figures.rollup(full=True) …", flush=True)
    t0 = time.monotonic()
    rows = figures.rollup(full=True)
    out = {"rollup_full_rows": rows, "rollup_full_seconds": round(time.monotonic() - t0, 1)}
    print(f"  {rows:,} 行，用时 {out['rollup_full_seconds']} 秒。", flush=True)
    # The full rollup deletes every CaseStat row and writes them again: until a vacuum the table holds the dead
    # copies too and its index-only scans read the heap. Autovacuum does this shortly after on a production server
    # (the local test server runs with autovacuum off), so the bench does it here, timed apart.
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_casestat")
    out["casestat_vacuum_analyze_seconds"] = round(time.monotonic() - t0, 1)
    return out


def check_rollup(sample: int, seed: int) -> dict:
    """`figures.rebuild` (what the 5-minute incremental rollup runs for each region-month touched) on `sample`
    random region-months, timed; each must write exactly the rows the full rollup wrote for it."""
    from xiangzhi.cases import figures
    from xiangzhi.cases.models import CaseStat

    fields = ["category", *figures.COUNTERS]

    def rows_of(code, month):
        return sorted(CaseStat.objects.filter(region_code=code, month=month).values_list(*fields))

    pairs = sorted(set(CaseStat.objects.order_by().values_list("region_code", "month").distinct()))
    chosen = random.Random(seed).sample(pairs, min(sample, len(pairs)))
    spent, mismatches = [], []
    for code, month in chosen:
        before = rows_of(code, month)
        t = time.perf_counter()
        figures.rebuild(code, month)
        spent.append((time.perf_counter() - t) * 1000)
        after = rows_of(code, month)
        if before != after:
            mismatches.append({"region_code": code, "month": str(month), "full": before, "rebuild": after})
    out = {
        "rollup_region_months": len(pairs),
        "rebuild_sample": len(chosen),
        "rebuild_ms": benchlib.summary_ms(spent) if spent else None,
        "rebuild_mismatch_count": len(mismatches),
        "rebuild_mismatches": mismatches[:5],
    }
    if spent:
        print(
            f"  figures.rebuild 抽样 {len(chosen)} 个辖区·月（共 {len(pairs):,} 个）：中位 "
            f"{out['rebuild_ms']['median_ms']} ms，p95 {out['rebuild_ms']['p95_ms']} ms；"
            f"与全量结果不一致 {len(mismatches)} 个。",
            flush=True,
        )
    return out


def ensure_data(args) -> dict:
    from xiangzhi.cases.models import Case, CaseStat
    from xiangzhi.regions.models import Region

    out = {"built": False, **migrate(args.remigrate_indexes)}
    have = Case.objects.count()
    if have and have != args.cases:
        sys.exit(f"该数据库已有 {have} 件事件，与 --cases {args.cases} 不符：加 --reset 重建。")
    if not have:
        if Region.objects.exists():
            sys.exit("该数据库里已有辖区但没有事件（上次载入中断？）：加 --reset 重建。")
        print(f"正在载入 {args.cases:,} 件事件 …", flush=True)
        out.update(built=True, **load(args))
        print(f"载入完成：{out}", flush=True)
    if args.rollup == "full" or not CaseStat.objects.exists():
        out.update(run_rollup())
    if args.rollup_check:
        out.update(check_rollup(args.rollup_check, args.seed))
    return out


# -- the measurement ---------------------------------------------------------------------------------------------


class Recorder:
    """Every statement run on the connection (kept across reconnects: with CONN_MAX_AGE=0, as in production by
    default, each test-client request opens its own connection)."""

    def __init__(self):
        self.calls = []

    def __call__(self, execute, sql, params, many, context):
        self.calls.append((sql, params))
        return execute(sql, params, many, context)


def plans(calls) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of each recorded statement that reads the cases or their rollup."""
    from django.db import connection

    out = []
    with connection.cursor() as cursor:
        for sql, params in calls:
            if not sql.lstrip().upper().startswith("SELECT") or (
                "cases_case" not in sql and "cases_casestat" not in sql
            ):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(r[0] for r in cursor.fetchall())
            out.append({"sql": sql, "params": [str(p) for p in params or ()], "plan": plan})
    return out


def time_case(run, n: int, *, explain: bool) -> dict:
    """One untimed run (its SQL recorded), three warm-ups, then `n` timed runs."""
    from django.db import connection

    rec = Recorder()
    with connection.execute_wrapper(rec):
        info = run()
    for _ in range(3):
        run()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        run()
        samples.append((time.perf_counter() - t) * 1000)
    result = {**benchlib.summary_ms(samples), "queries": len(rec.calls), "info": info}
    if explain or result["p95_ms"] >= TARGET_P95_MS:
        result["plans"] = plans(rec.calls)
    return result


def signed_in_client(user):
    """A test client signed in as `user`, the second factor marked verified for the session."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from xiangzhi.accounts import services as account_services
    from xiangzhi.accounts.middleware import SESSION_LAST_ACTIVE, SESSION_STARTED
    from xiangzhi.core import clock

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = account_services.totp_device_ensure(user).persistent_id
    session[SESSION_STARTED] = session[SESSION_LAST_ACTIVE] = clock.now().timestamp()
    session.save()
    return client


def cases_to_measure(args):
    import datetime as dt

    from django.core.paginator import Paginator
    from django.db import connection

    from xiangzhi.accounts.models import User
    from xiangzhi.cases import figures, selectors
    from xiangzhi.cases.models import Case
    from xiangzhi.core import clock

    leader = User.objects.get(username=LEADER)
    town = town_code(0)
    village = f"{town}{215:03d}"

    def fresh_user():
        # a request loads the user and its grants anew: so does every repetition here
        return User.objects.get(pk=leader.pk)

    def listing(page: int = 1, **filters):
        def run():
            qs = selectors.case_list(user=fresh_user(), **filters)
            p = Paginator(qs, 20).page(page)
            rows = list(p.object_list)
            for c in rows:  # what the page's rows read
                _ = (c.number, c.department.name if c.department_id else "", c.deadline, c.is_overdue)
            return {"count": p.paginator.count, "rows": len(rows)}

        return run

    today = clock.today()
    year_ago = today - dt.timedelta(days=365)

    def figs(region: str = ""):
        def run():
            f = figures.figures(user=fresh_user(), region=region, start=year_ago, end=today)
            t = f["total"]
            return {
                "received": t["received"],
                "by_region": len(f["by_region"]),
                "on_time_rate": t["on_time_rate"],
            }

        return run

    rng = random.Random(args.seed)
    pks = list(
        Case.objects.filter(region_code__gte=town, region_code__lt=town + "~").values_list("pk", flat=True)[
            :5000
        ]
    )

    def pk_fetch():
        c = Case.objects.select_related("department").get(pk=rng.choice(pks))
        return {"pk": c.pk}

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return {"one": cursor.fetchone()[0]}

    client = signed_in_client(leader)

    def page():
        r = client.get("/cases/")
        if r.status_code != 200:
            raise RuntimeError(f"/cases/ 返回 {r.status_code}")
        return {"bytes": len(r.content)}

    return {
        "list: first page": listing(),
        "list: state=open": listing(state="open"),
        "list: category=ENVIRONMENT": listing(category="ENVIRONMENT"),
        f"list: village {village}": listing(region=village),
        "list: overdue only": listing(overdue=True),
        "list: page 50": listing(page=50),
        "figures: town, last 12 months": figs(),
        f"figures: village {village}": figs(village),
        "page /cases/ (test client)": page,
        "baseline: pk fetch of one case": pk_fetch,
        "SELECT 1": select_one,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.reset:
        drop_database(args.database_url)
    benchlib.ensure_database(args.database_url)
    benchlib.setup_django(args.database_url)

    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("本基准只测 PostgreSQL。")
    build = ensure_data(args)
    from xiangzhi.cases.models import Case

    town = town_code(0)
    in_town = Case.objects.filter(region_code__gte=town, region_code__lt=town + "~").count()
    print(f"县内 {Case.objects.count():,} 件，其中被测乡镇 {town} {in_town:,} 件。", flush=True)

    load_before = benchlib.load_average()
    print(f"负载（1/5/15 分钟）：{load_before}", flush=True)
    results = {}
    for name, run in cases_to_measure(args).items():
        results[name] = time_case(run, args.requests, explain=args.explain)
        r = results[name]
        print(f"  {name}: 中位 {r['median_ms']} ms，p95 {r['p95_ms']} ms，{r['queries']} 条 SQL", flush=True)
    base = results["baseline: pk fetch of one case"]
    for r in results.values():
        r["median_ratio"] = round(r["median_ms"] / base["median_ms"], 2)
        r["p95_ratio"] = round(r["p95_ms"] / base["p95_ms"], 2)
        r["meets_target"] = r["p95_ms"] < TARGET_P95_MS

    report = {
        "machine": benchlib.machine(),
        "load_average_before": load_before,
        "cases": args.cases,
        "cases_in_town": in_town,
        "town": town,
        "requests": args.requests,
        "target_p95_ms": TARGET_P95_MS,
        "build": build,
        "results": results,
    }
    out = benchlib.write_report("case_list", report)

    print()
    print(
        f"事件列表与统计 — {args.cases:,} 件（被测乡镇 {in_town:,} 件），PostgreSQL，每项 {args.requests} 次；"
        f"负载 前 {load_before} 后 {report['machine']['load_average']}"
    )
    header = (
        f"{'case':36} {'median ms':>10} {'p95 ms':>8} {'×base med':>10} {'×base p95':>10} {'SQL':>4}  p95<150"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        ok = "yes" if r["meets_target"] else "NO"
        print(
            f"{name:36} {r['median_ms']:>10.1f} {r['p95_ms']:>8.1f} {r['median_ratio']:>10.2f} "
            f"{r['p95_ratio']:>10.2f} {r['queries']:>4}  {ok}"
        )
    for name, r in results.items():
        for p in r.get("plans", []):
            print(f"\n== {name} ==\n{p['sql']}\n{p['params']}\n{p['plan']}")
    print(f"\n结果已写入 {out.relative_to(benchlib.ROOT)}")
    return 0 if all(r["meets_target"] for r in results.values()) else 1


if __name__ == "__main__":
    os.chdir(benchlib.ROOT)
    sys.exit(main())
