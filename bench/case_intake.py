"""Benchmark of case intake through the API, against a bare one-row insert on the same stack, on PostgreSQL.

    .venv/bin/python bench/case_intake.py [--database-url URL] [--clients 1,8,32] [--seconds 20]
                                          [--workers 2] [--threads 4] [--conn-max-age N]

Starts a real server, gunicorn as `xiangzhi serve` starts it (its own argv: 2 workers × 4 threads by default),
with the bench settings (bench/benchsite.py: the project's settings, plus `POST /api/v1/bench/insert/` from
bench/benchurls.py on the same django-ninja API and token auth) against a database of its own (default
postgres://xiangzhi:xiangzhi@127.0.0.1:5432/xz_bench_intake, created and migrated when missing). In it: a county,
a town, a village and two grids, a grid worker with an API token (`accounts.services.token_issue`), a grid leader
and the village secretary (so the intake's notifications have someone to reach).

Then, for 1, 8 and 32 concurrent clients (threads, one keep-alive HTTP/1.1 connection each), each for a fixed
time after a short warm-up, the clients send the same JSON body ({region_code, description}, Authorization:
Bearer <token>, a fresh Idempotency-Key each) to

- `POST /api/v1/cases/` — the case intake: validation, policy, routing, the case, its first assignment, the
  timeline entry, the audit record, the notifications, and the case's detail in the answer;
- `POST /api/v1/bench/insert/` — the baseline: the same stack, one INSERT.

The two alternate at every level, so both see the same machine. Reports requests/s, median and p95 latency, the
errors, intake ÷ bare (requests/s) and the load average after each level; the target is intake ≥ 40 % of the bare
rate. While each endpoint runs, the server's database sessions are sampled every 0.1 s (`pg_stat_activity`:
running, waiting on a lock — the audit chain head of the county in particular — or idle in a transaction while
Python works). Then one intake request and one bare request are profiled in-process (the statements each runs, by
kind and table, with their time) and 30 intakes under cProfile (the top functions, and the callees of
`case_create`, `case_report` and the answer `_detail`, kept in the JSON). The report goes to
bench/results/case_intake-postgresql-<timestamp>.json (git-ignored).

The code measured is the one on the Python path: to measure a change to src/ before making it, run the bench with
`PYTHONPATH=<a patched copy of src>` (the server inherits it).
"""

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402

DEFAULT_DB = f"{benchlib.DEFAULT_SERVER}/xz_bench_intake"
TARGET_RATIO = 0.40
GRID = "141029201201001"
WORKER = "bench_grid_worker"
INTAKE = "/api/v1/cases/"
BARE = "/api/v1/bench/insert/"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=DEFAULT_DB)
    p.add_argument("--clients", default="1,8,32")
    p.add_argument("--seconds", type=float, default=20.0, help="measured time per endpoint and level")
    p.add_argument("--warmup", type=float, default=2.0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="DB_CONN_MAX_AGE for the server (default: the environment's, else the settings' default 0)",
    )
    p.add_argument("--port", type=int, default=0, help="default: a free port")
    return p.parse_args(argv)


# -- data ------------------------------------------------------------------------------------------------------


def ensure_data() -> str:
    """Migrate; the township, the people and a fresh API token for the grid worker (its raw key)."""
    from django.core.management import call_command

    from xiangzhi.accounts import services as account_services
    from xiangzhi.accounts.models import ApiToken, User
    from xiangzhi.core import clock
    from xiangzhi.regions.models import Region
    from xiangzhi.regions.services import region_create

    call_command("migrate", verbosity=0, interactive=False)
    if not Region.objects.filter(code=GRID).exists():
        county = region_create(code="141029", name="乡宁县")
        town = region_create(code="141029201", name="尉庄乡", parent=county)
        village = region_create(code="141029201201", name="南山村", parent=town)
        grid = region_create(code=GRID, name="南山村第一网格", parent=village)
        region_create(code="141029201201002", name="南山村第二网格", parent=village)
        people = [
            (WORKER, "基准网格员", "grid_worker", grid),
            ("bench_grid_leader", "基准网格长", "grid_leader", grid),
            ("bench_secretary", "基准村书记", "village_secretary", village),
        ]
        for username, name, role, region in people:
            user = User.objects.create_user(username=username, password=None, full_name=name)
            account_services.role_grant(user=user, role=role, region=region)
    worker = User.objects.get(username=WORKER)
    ApiToken.objects.filter(user=worker, revoked_at__isnull=True).update(revoked_at=clock.now())
    return account_services.token_issue(user=worker, otp_verified=False, name="基准测试")


# -- the server ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, database_url: str, port: int, log_path: Path) -> subprocess.Popen:
    from xiangzhi.web.management.commands.serve import Command

    argv = Command().gunicorn_argv(host="127.0.0.1", port=port, workers=args.workers, threads=args.threads)
    argv += ["--pythonpath", str(Path(__file__).resolve().parent)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchsite", "DATABASE_URL": database_url}
    if args.conn_max_age is not None:
        env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    log = open(log_path, "w")  # noqa: SIM115  (kept open for the server's life)
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"服务器没有启动，见 {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status in (200, 401, 404):
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    sys.exit(f"服务器 30 秒内没有就绪，见 {log_path}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# -- the clients -----------------------------------------------------------------------------------------------


def body(n: int) -> bytes:
    return json.dumps(
        {"region_code": GRID, "description": f"村口垃圾堆放多日，无人清理，影响通行。（基准 {n}）"},
        ensure_ascii=False,
    ).encode()


def one_request(conn, path: str, token: str, n: int) -> int:
    conn.request(
        "POST",
        path,
        body=body(n),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )
    r = conn.getresponse()
    r.read()
    return r.status


def drive(port: int, path: str, token: str, clients: int, seconds: float, warmup: float) -> dict:
    """`clients` threads, each on its own keep-alive connection, sending requests back to back; the requests that
    complete inside the measured window count."""
    start = time.monotonic() + warmup
    stop = start + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()
    counter = iter(range(10**9))

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, codes = [], Counter()
        while True:
            t0 = time.monotonic()
            if t0 >= stop:
                break
            try:
                status = one_request(conn, path, token, next(counter))
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = "error"
            t1 = time.monotonic()
            if t0 >= start and t1 <= stop:
                mine.append((t1 - t0) * 1000)
                codes[status] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = sum(v for k, v in statuses.items() if k in (200, 201))
    out = {
        "clients": clients,
        "seconds": seconds,
        "requests": len(latencies),
        "ok": ok,
        "statuses": {str(k): v for k, v in statuses.items()},
        "rps": round(ok / seconds, 1),
    }
    if latencies:
        out.update(benchlib.summary_ms(latencies))
    return out


class WaitSampler:
    """What the server's database sessions are doing while the clients run: every 0.1 s, from a connection of its
    own, the sessions of the bench database that are not idle, by state and wait event (`pg_stat_activity`). A
    session waiting on a `transactionid` or `tuple` lock while selecting the audit chain head is an intake queued
    behind another one's chain lock; `idle in transaction` is a session whose Python is between two statements."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.counts: Counter = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        import psycopg

        name = self.database_url.rpartition("/")[2]
        sql = (
            "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'cpu'), left(query, 60)"
            " FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
            " AND pid <> pg_backend_pid() AND state <> 'idle'"
        )
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self._stop.wait(0.1):
                self.samples += 1
                for state, wait, query in conn.execute(sql, [name]).fetchall():
                    if state == "idle in transaction":
                        key = "idle in transaction (Python between statements)"
                    elif wait.startswith("Lock") and "audit_chainhead" in query:
                        key = f"waiting for the audit chain head ({wait})"
                    else:
                        key = f"{state}, {wait}"
                    self.counts[key] += 1

    def report(self) -> dict:
        """Mean sessions per sample in each state (of `server threads` at most)."""
        n = max(self.samples, 1)
        return {k: round(v / n, 2) for k, v in self.counts.most_common()}


# -- the profile -----------------------------------------------------------------------------------------------


def profile(token: str) -> dict:
    """One request of each kind through Django's test client with the bench URLconf (in this process): the
    statements it runs, by kind and table, with their time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    class Recorder:
        def __init__(self):
            self.calls = []

        def __call__(self, execute, sql, params, many, context):
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.calls.append((sql, (time.perf_counter() - t) * 1000))

    def kind(sql: str) -> str:
        s = sql.lstrip()
        verb = s.split(None, 1)[0].upper()
        if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET"):
            return verb
        m = re.search(r'(?:FROM|INTO|UPDATE)\s+"([a-z0-9_]+)"', s)
        return f"{verb} {m.group(1) if m else '?'}"

    out = {}
    with override_settings(ROOT_URLCONF="benchurls"):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        for name, path in (("intake", INTAKE), ("bare", BARE)):
            client.post(path, body(0), content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
            rec = Recorder()
            t0 = time.perf_counter()
            with connection.execute_wrapper(rec):
                r = client.post(
                    path, body(1), content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
                )
            total = (time.perf_counter() - t0) * 1000
            if r.status_code not in (200, 201):
                sys.exit(f"{path} 返回 {r.status_code}：{r.content[:300]!r}")
            by_kind: dict[str, list] = {}
            for sql, ms in rec.calls:
                k = kind(sql)
                by_kind.setdefault(k, [0, 0.0])
                by_kind[k][0] += 1
                by_kind[k][1] += ms
            out[name] = {
                "status": r.status_code,
                "request_ms": round(total, 1),
                "statements": len(rec.calls),
                "sql_ms": round(sum(ms for _, ms in rec.calls), 1),
                "by_kind": {
                    k: {"count": c, "ms": round(ms, 2)}
                    for k, (c, ms) in sorted(by_kind.items(), key=lambda kv: -kv[1][1])
                },
                "statements_in_order": [f"{ms:6.2f} ms  {sql[:160]}" for sql, ms in rec.calls],
            }
    cpu = cpu_profile(client, n=30)
    out["intake"]["cprofile_top"], out["intake"]["cprofile_steps"] = cpu["top"], cpu["steps"]
    return out


def cpu_profile(client, n: int) -> dict:
    """Where the intake's time goes in Python: `n` requests under cProfile, the project's and the libraries'
    functions with the most cumulative time (the request handler itself and Django's plumbing left out), and the
    callees of the intake's steps."""
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for i in range(n):
        client.post(INTAKE, body(i), content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(r"xiangzhi|ninja|pydantic|psycopg|argon2|hashlib|zoneinfo", 45)
    lines = [ln for ln in buf.getvalue().splitlines() if re.match(r"\s*\d", ln)]
    # the steps of the intake: what case_create, case_report and the answer (_detail) call, with their time
    buf = io.StringIO()
    stats.stream = buf
    stats.print_callees(r"api.py:\d+\(case_create\)|services.py:\d+\(case_report\)|api.py:\d+\(_detail\)")
    steps = [ln.rstrip() for ln in buf.getvalue().splitlines() if ln.strip()]
    return {"top": [f"{n} requests: ncalls tottime percall cumtime percall function", *lines], "steps": steps}


# -- main ------------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    levels = [int(c) for c in args.clients.split(",") if c.strip()]
    benchlib.ensure_database(args.database_url)
    benchlib.setup_django(args.database_url, "benchsite")
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("本基准只测 PostgreSQL。")
    token = ensure_data()
    connection.close()

    port = args.port or free_port()
    log_path = benchlib.ROOT / "var" / "bench" / "case_intake-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    server = start_server(args, args.database_url, port, log_path)
    print(
        f"服务器已启动：127.0.0.1:{port}（gunicorn {args.workers} 进程 × {args.threads} 线程），日志 {log_path}"
    )
    load_before = benchlib.load_average()
    print(f"负载（1/5/15 分钟）：{load_before}", flush=True)
    results = []
    try:
        for path in (BARE, INTAKE):  # both answer before anything is timed
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = one_request(conn, path, token, 0)
            conn.close()
            if status not in (200, 201):
                sys.exit(f"{path} 返回 {status}：见 {log_path}")
        for clients in levels:
            row = {"clients": clients}
            for name, path in (("bare", BARE), ("intake", INTAKE)):
                with WaitSampler(args.database_url) as sampler:
                    row[name] = drive(port, path, token, clients, args.seconds, args.warmup)
                r = row[name]
                r["db_sessions"] = sampler.report()
                print(
                    f"  {clients:>2} 个客户端 {name:6}: {r['rps']:>7.1f} 次/秒，中位 {r.get('median_ms', 0):.1f} ms，"
                    f"p95 {r.get('p95_ms', 0):.1f} ms，状态 {r['statuses']}",
                    flush=True,
                )
            row["load_average"] = benchlib.load_average()
            row["ratio_rps"] = (
                round(row["intake"]["rps"] / row["bare"]["rps"], 3) if row["bare"]["rps"] else None
            )
            row["meets_target"] = bool(row["ratio_rps"] is not None and row["ratio_rps"] >= TARGET_RATIO)
            results.append(row)
    finally:
        stop_server(server)

    prof = profile(token)
    from xiangzhi.cases.models import Case

    report = {
        "machine": benchlib.machine(),
        "load_average_before": load_before,
        "server": {
            "workers": args.workers,
            "threads": args.threads,
            "conn_max_age": args.conn_max_age
            if args.conn_max_age is not None
            else os.environ.get("DB_CONN_MAX_AGE", "0 (settings default)"),
        },
        "seconds": args.seconds,
        "target_ratio": TARGET_RATIO,
        "cases_in_database": Case.objects.count(),
        "levels": results,
        "profile": prof,
    }
    out = benchlib.write_report("case_intake", report)

    print()
    print(
        f"事件上报 POST {INTAKE} 对比 POST {BARE}（同一 API、同一令牌认证，只插一行）— PostgreSQL，"
        f"gunicorn {args.workers}×{args.threads}，每档 {args.seconds:g} 秒"
    )
    header = (
        f"{'clients':>7} {'bare req/s':>10} {'bare p95':>9} {'intake req/s':>12} {'intake p95':>10} "
        f"{'intake/bare':>11}  ≥40%  load 1/5/15"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        b, i = row["bare"], row["intake"]
        print(
            f"{row['clients']:>7} {b['rps']:>10.1f} {b.get('p95_ms', 0):>9.1f} {i['rps']:>12.1f} "
            f"{i.get('p95_ms', 0):>10.1f} {row['ratio_rps']:>11.2f}  {'yes' if row['meets_target'] else 'NO ':4} "
            f"{row['load_average']}"
        )
    print("\n数据库会话（每 0.1 秒采样，平均同时处于各状态的会话数）")
    for row in results:
        for name in ("bare", "intake"):
            sessions = "；".join(f"{k} {v}" for k, v in row[name]["db_sessions"].items())
            print(f"  {row['clients']:>2} {name:6}: {sessions}")
    for name, p in prof.items():
        print(
            f"\n{name}: {p['statements']} 条 SQL，SQL {p['sql_ms']} ms / 请求 {p['request_ms']} ms（进程内）"
        )
        for k, v in list(p["by_kind"].items())[:12]:
            print(f"  {v['count']:>3} × {k:40} {v['ms']:>7.2f} ms")
    print("\n" + "\n".join(prof["intake"]["cprofile_top"][:30]))
    print(f"\n结果已写入 {out.relative_to(benchlib.ROOT)}")
    return 0 if all(r["meets_target"] for r in results) else 1


if __name__ == "__main__":
    os.chdir(benchlib.ROOT)
    sys.exit(main())
