"""Benchmark of points-store redemptions through the API under concurrent clients, against a bare one-row insert on
the same stack, on PostgreSQL, with an oversell check.

    .venv/bin/python bench/store_redeem.py [--database-url URL] [--clients 32] [--seconds 10] [--scarce 40]
                                           [--villages 2] [--workers 2] [--threads 4]

Starts gunicorn as `xiangzhi serve` starts it (2 workers × 4 threads) with the bench settings (bench/benchsite.py:
the project's settings plus `POST /api/v1/bench/insert/`, one INSERT on the same django-ninja API and token auth)
against a database of its own (default postgres://xiangzhi:xiangzhi@127.0.0.1:5432/xz_bench_store, created and
migrated when missing). In it: a town store serving `--villages` villages, one household per client spread over
those villages, each with a villager account, an API token and plenty of points.

Phases, each with `--clients` threads (one keep-alive connection and one villager each), one after the other:

- bare: `POST /api/v1/bench/insert/` for `--seconds` — the cost of the stack and of one write;
- redeem: `POST /api/v1/store/redemptions/` (quantity 1, a fresh Idempotency-Key each) of ONE goods item with
  ample stock for `--seconds` — every request contends for the same goods row (the worst case), the households
  of a village for their village's ledger chain head, all of them for the county's audit chain head;
- scarce: the same against an item with `--scarce` units, until every client has been told "库存不足" (409).

Then the oversell check: for each goods item, units taken by redemptions = stock before − stock after, stock ≥ 0;
the scarce item sold exactly `--scarce` units; no 5xx; `points.ledger.verify()` passes (every balance equals the
sum of its entries, every chain unbroken) and each household's 可用积分 = points given − points redeemed.
Reports redemptions/s, median and p95 latency, redeem ÷ bare and the load average; the report goes to
var/bench/store_redeem-postgresql-<timestamp>.json. Exit status 1 on any oversell or lost entry.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from case_intake import WaitSampler, free_port, stop_server  # noqa: E402

DEFAULT_DB = f"{benchlib.DEFAULT_SERVER}/xz_bench_store"
TOWN = "141029201"
POINTS_EACH = 1_000_000
REDEEM = "/api/v1/store/redemptions/"
BARE = "/api/v1/bench/insert/"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=DEFAULT_DB)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=10.0, help="measured time of the bare and redeem phases")
    p.add_argument("--warmup", type=float, default=2.0)
    p.add_argument("--scarce", type=int, default=40, help="units of the scarce item")
    p.add_argument("--villages", type=int, default=2, help="villages the clients' households live in (1-9)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--conn-max-age", type=int, default=None)
    p.add_argument("--port", type=int, default=0)
    return p.parse_args(argv)


# -- data ------------------------------------------------------------------------------------------------------


def ensure_data(clients: int, villages: int, scarce: int) -> dict:
    """Migrate; the town, its villages, one household with a villager account per client (made once, topped up
    with points every run), a fresh API token each; this run's store, its ample and its scarce goods."""
    import datetime as dt

    from django.core.management import call_command

    from xiangzhi.accounts import services as account_services
    from xiangzhi.accounts.models import ApiToken, User
    from xiangzhi.core import clock
    from xiangzhi.people import idnumber
    from xiangzhi.people import services as people_services
    from xiangzhi.points import ledger
    from xiangzhi.points.models import LedgerEntry
    from xiangzhi.regions.models import Region
    from xiangzhi.regions.services import region_create
    from xiangzhi.store import services as store_services

    call_command("migrate", verbosity=0, interactive=False)
    if not Region.objects.filter(code=TOWN).exists():
        county = region_create(code="141029", name="乡宁县")
        region_create(code=TOWN, name="尉庄乡", parent=county)
    town = Region.objects.get(code=TOWN)
    leader = User.objects.filter(username="bench_town_leader").first()
    if leader is None:
        leader = User.objects.create_user(username="bench_town_leader", password=None, full_name="基准镇长")
        account_services.role_grant(user=leader, role="town_leader", region=town)
    village_regions = []
    for v in range(1, villages + 1):
        code = f"{TOWN}2{v:02d}"
        village = Region.objects.filter(code=code).first() or region_create(
            code=code, name=f"基准{v}村", parent=town
        )
        grid = Region.objects.filter(code=f"{code}001").first() or region_create(
            code=f"{code}001", name=f"基准{v}村第一网格", parent=village
        )
        village_regions.append((village, grid))
    users = []
    for i in range(clients):
        village, grid = village_regions[i % villages]
        phone = f"138{i:08d}"
        user = User.objects.filter(username=account_services.villager_username(phone)).first()
        if user is None:
            household = people_services.household_create(user=None, grid=grid, address=f"基准户{i}号")
            number = idnumber.make("141029", dt.date(1960, 1, 1) + dt.timedelta(days=i), i % 900, "M")
            resident = people_services.resident_create(
                user=None,
                household=household,
                name=f"基准户主{i}",
                id_number=number,
                birth_date=idnumber.birth_date_of(number),
                sex=idnumber.sex_of(number),
                relation="head",
            )
            user, _code = account_services.villager_account_create(
                resident_or_name=resident, phone=phone, village=village, created_by=None
            )
        ledger.post(
            holder=ledger.Holder.of(user.resident.household),
            kind=LedgerEntry.CLAIM,
            earned=POINTS_EACH,
            actor_label="bench",
        )
        users.append(user)
    ApiToken.objects.filter(user__in=users, revoked_at__isnull=True).update(revoked_at=clock.now())
    tokens = [account_services.token_issue(user=u, otp_verified=False, name="基准测试") for u in users]
    run = time.strftime("%Y%m%d-%H%M%S")
    store = store_services.store_create(
        user=leader, region=town, name=f"基准超市{run}", villages=[v for v, _g in village_regions]
    )
    ample = store_services.goods_save(user=leader, store=store, name="洗衣粉", price=1, stock=100_000)
    few = store_services.goods_save(user=leader, store=store, name="电饭煲", price=5, stock=scarce)
    return {
        "tokens": tokens,
        "users": [u.pk for u in users],
        "store": store.pk,
        "ample": ample.pk,
        "scarce": few.pk,
    }


# -- the server ------------------------------------------------------------------------------------------------


def start_server(args, database_url: str, port: int, log_path: Path):
    """gunicorn with the argv of `xiangzhi serve` and the bench settings; ready when an unauthenticated API call
    answers 401 (cheap: unlike the OpenAPI document, nothing is built for it). Up to 120 s on a busy machine."""
    import subprocess

    from xiangzhi.web.management.commands.serve import Command

    argv = Command().gunicorn_argv(host="127.0.0.1", port=port, workers=args.workers, threads=args.threads)
    argv += ["--pythonpath", str(Path(__file__).resolve().parent)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchsite", "DATABASE_URL": database_url}
    if args.conn_max_age is not None:
        env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    log = open(log_path, "w")  # noqa: SIM115  (kept open for the server's life)
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"服务器没有启动，见 {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/store/goods/")
            if conn.getresponse().status in (200, 401, 403):
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    sys.exit(f"服务器 120 秒内没有就绪，见 {log_path}")


# -- the clients -----------------------------------------------------------------------------------------------


def post(conn, path: str, token: str, goods_id: int) -> int:
    conn.request(
        "POST",
        path,
        body=json.dumps({"goods_id": goods_id, "quantity": 1}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )
    r = conn.getresponse()
    r.read()
    return r.status


def drive(port: int, path: str, tokens: list[str], goods_id: int, seconds: float, warmup: float) -> dict:
    """One thread per token, each on its own keep-alive connection, requests back to back; the requests that
    complete inside the measured window count."""
    start = time.monotonic() + warmup
    stop = start + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()

    def client(token):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, codes = [], Counter()
        while True:
            t0 = time.monotonic()
            if t0 >= stop:
                break
            try:
                status = post(conn, path, token, goods_id)
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

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    [t.start() for t in threads]
    [t.join() for t in threads]
    ok = sum(v for k, v in statuses.items() if k in (200, 201))
    out = {
        "clients": len(tokens),
        "seconds": seconds,
        "requests": len(latencies),
        "ok": ok,
        "statuses": {str(k): v for k, v in statuses.items()},
        "rps": round(ok / seconds, 1),
    }
    if latencies:
        out.update(benchlib.summary_ms(latencies))
    return out


def drain(port: int, tokens: list[str], goods_id: int) -> dict:
    """Every client redeems the scarce item until it is told 409 (库存不足) once."""
    lock = threading.Lock()
    statuses: Counter = Counter()
    barrier = threading.Barrier(len(tokens))
    t_start = time.monotonic()

    def client(token):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        codes = Counter()
        barrier.wait()
        for _ in range(10_000):
            try:
                status = post(conn, REDEEM, token, goods_id)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = "error"
            codes[status] += 1
            if status == 409 or (isinstance(status, int) and status >= 500):
                break
        conn.close()
        with lock:
            statuses.update(codes)

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return {
        "clients": len(tokens),
        "statuses": {str(k): v for k, v in statuses.items()},
        "sold": statuses.get(201, 0),
        "seconds": round(time.monotonic() - t_start, 2),
    }


# -- the checks ------------------------------------------------------------------------------------------------


def oversell_check(data: dict, scarce: int, stock_before: dict) -> dict:
    from django.db.models import Sum

    from xiangzhi.points import ledger
    from xiangzhi.points.models import LedgerEntry
    from xiangzhi.store.models import Goods, Redemption

    problems = []
    goods = {g.pk: g for g in Goods.objects.filter(store_id=data["store"])}
    taken = dict(
        Redemption.objects.filter(store_id=data["store"])
        .exclude(state=Redemption.CANCELLED)
        .values_list("goods_id")
        .annotate(n=Sum("quantity"))
    )
    for pk, g in goods.items():
        if g.stock < 0:
            problems.append(f"{g.name}: 库存为负 {g.stock}")
        if stock_before[pk] - g.stock != taken.get(pk, 0):
            problems.append(
                f"{g.name}: 库存减少 {stock_before[pk] - g.stock}，兑换数量合计 {taken.get(pk, 0)}"
            )
    if goods[data["scarce"]].stock != 0 or taken.get(data["scarce"], 0) != scarce:
        problems.append(
            f"稀缺商品售出 {taken.get(data['scarce'], 0)} 件（应为 {scarce}），剩 {goods[data['scarce']].stock}"
        )
    # each household: 可用积分 = what was given − what was redeemed (all runs), and the ledger itself verifies
    from xiangzhi.accounts.models import User

    for user in User.objects.filter(pk__in=data["users"]).select_related("resident"):
        household_id = user.resident.household_id
        given = LedgerEntry.objects.filter(household_id=household_id, kind=LedgerEntry.CLAIM).aggregate(
            s=Sum("available_delta")
        )["s"]
        spent = (
            Redemption.objects.filter(household_id=household_id)
            .exclude(state=Redemption.CANCELLED)
            .aggregate(s=Sum("points"))["s"]
            or 0
        )
        bal = ledger.balance_of(ledger.Holder(household_id=household_id))[1]
        if bal != given - spent:
            problems.append(f"户 #{household_id}: 可用积分 {bal}，应为 {given} − {spent}")
    report = ledger.verify()
    problems += report.problems
    return {
        "ok": not problems,
        "problems": problems[:20],
        "ledger_entries": report.entries,
        "redemptions_this_run": sum(taken.values()),
    }


# -- main ------------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    if not 1 <= args.villages <= 9:
        sys.exit("--villages 须在 1 到 9 之间。")
    benchlib.ensure_database(args.database_url)
    benchlib.setup_django(args.database_url, "benchsite")
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("本基准只测 PostgreSQL。")
    print("准备数据……", flush=True)
    data = ensure_data(args.clients, args.villages, args.scarce)
    from xiangzhi.store.models import Goods

    stock_before = dict(Goods.objects.filter(store_id=data["store"]).values_list("pk", "stock"))
    connection.close()

    port = args.port or free_port()
    log_path = benchlib.ROOT / "var" / "bench" / "store_redeem-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    server = start_server(args, args.database_url, port, log_path)
    print(
        f"服务器已启动：127.0.0.1:{port}（gunicorn {args.workers} 进程 × {args.threads} 线程），日志 {log_path}"
    )
    load_before = benchlib.load_average()
    tokens = data["tokens"]
    try:
        for path in (BARE, REDEEM):  # both answer before anything is timed
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = post(conn, path, tokens[0], data["ample"])
            conn.close()
            if status not in (200, 201):
                sys.exit(f"{path} 返回 {status}：见 {log_path}")
        phases = {}
        for name, path in (("bare", BARE), ("redeem", REDEEM)):
            with WaitSampler(args.database_url) as sampler:
                phases[name] = drive(port, path, tokens, data["ample"], args.seconds, args.warmup)
            phases[name]["db_sessions"] = sampler.report()
            r = phases[name]
            print(
                f"  {args.clients} 个客户端 {name:6}: {r['rps']:>7.1f} 次/秒，中位 {r.get('median_ms', 0):.1f} ms，"
                f"p95 {r.get('p95_ms', 0):.1f} ms，状态 {r['statuses']}",
                flush=True,
            )
        phases["scarce"] = drain(port, tokens, data["scarce"])
        print(f"  稀缺商品 {args.scarce} 件：{phases['scarce']['statuses']}", flush=True)
        load_after = benchlib.load_average()
    finally:
        stop_server(server)

    check = oversell_check(data, args.scarce, stock_before)
    server_errors = sum(
        v for p in phases.values() for k, v in p["statuses"].items() if k == "error" or k.startswith("5")
    )
    ratio = round(phases["redeem"]["rps"] / phases["bare"]["rps"], 3) if phases["bare"]["rps"] else None
    report = {
        "machine": benchlib.machine(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "server": {"workers": args.workers, "threads": args.threads},
        "clients": args.clients,
        "villages": args.villages,
        "seconds": args.seconds,
        "phases": phases,
        "redeem_over_bare": ratio,
        "server_errors": server_errors,
        "oversell_check": check,
    }
    out_dir = benchlib.ROOT / "var" / "bench"
    out = out_dir / f"store_redeem-{report['machine']['database']}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))

    b, r, s = phases["bare"], phases["redeem"], phases["scarce"]
    print()
    print(
        f"积分兑换 POST {REDEEM} 对比 POST {BARE}（同一 API、同一令牌认证，只插一行）— PostgreSQL，"
        f"gunicorn {args.workers}×{args.threads}，{args.clients} 个客户端，每档 {args.seconds:g} 秒"
    )
    print(f"{'':8} {'req/s':>8} {'median':>8} {'p95':>8}")
    for name, p in (("bare", b), ("redeem", r)):
        print(f"{name:8} {p['rps']:>8.1f} {p.get('median_ms', 0):>8.1f} {p.get('p95_ms', 0):>8.1f}")
    print(f"redeem / bare = {ratio}；负载 {load_before} → {load_after}")
    print(f"稀缺商品：{args.scarce} 件，售出 {s['sold']} 件，{s['seconds']} 秒，状态 {s['statuses']}")
    print("\n数据库会话（每 0.1 秒采样，平均同时处于各状态的会话数）")
    for name in ("bare", "redeem"):
        print(f"  {name:6}: " + "；".join(f"{k} {v}" for k, v in phases[name]["db_sessions"].items()))
    verdict = "无超卖、无丢失流水" if check["ok"] and not server_errors else "发现问题"
    print(
        f"\n核对：{verdict}；服务器错误 {server_errors}；积分流水 {check['ledger_entries']} 条核对通过"
        if check["ok"]
        else ""
    )
    for p in check["problems"]:
        print("  " + p)
    print(f"\n结果已写入 {out.relative_to(benchlib.ROOT)}")
    return 0 if check["ok"] and not server_errors else 1


if __name__ == "__main__":
    os.chdir(benchlib.ROOT)
    sys.exit(main())
