"""Benchmark of the household list (/people/households/) on a town of 100k households.

    .venv/bin/python bench/household_list.py --households 100000 [--database-url URL] [--requests 60]

Builds the demo township with the given number of households in a database of its own (by default the SQLite
file var/bench/households-<N>.sqlite3; with --database-url or DATABASE_URL, e.g. a PostgreSQL database made for
it), or reuses it when it is there already. Then, signed in as the demo town leader (the widest town scope),
times the real page through Django's test client — middleware, session, policy, selector, template — for:

- first page: the town's first 20 households;
- filtered: one grid and one tag (低保);
- pinyin search: `q=zs` (heads of household whose initials start with zs);
- deep page: page 200 of the unfiltered list;
- baseline: the same page and template with the selector replaced by a plain, unscoped
  `Household.objects.order_by("id")` and no search — what the page costs without scoping and search.

Prints a table (median, p95, ratio to the baseline) and writes bench/results/household_list-<database>-<timestamp>.json (git-ignored).
The target is p95 < 100 ms for every case.
"""

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 100.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--households", type=int, default=100_000)
    p.add_argument(
        "--database-url", default=None, help="default: DATABASE_URL, else var/bench/households-N.sqlite3"
    )
    p.add_argument("--requests", type=int, default=60, help="timed requests per case (after 5 warm-up ones)")
    p.add_argument("--seed", type=int, default=2024)
    return p.parse_args(argv)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiangzhi.settings")
    import django

    django.setup()


def ensure_data(households: int, seed: int) -> dict:
    """Migrate, then build the town unless the database already holds it at this size."""
    from django.core.management import call_command

    from xiangzhi.demo import builder
    from xiangzhi.people.models import Household

    call_command("migrate", verbosity=0, interactive=False)
    if builder.demo_exists():
        have = Household.objects.filter(region_code__startswith="141029201").count()
        if have != households:
            sys.exit(
                f"该数据库已有 {have} 户的演示数据，与 --households {households} 不符：请换一个数据库或删除它。"
            )
        print(f"复用已有数据：{have} 户。")
        return {"built": False}
    print(f"正在生成 {households} 户的演示数据 …", flush=True)
    started = time.monotonic()
    result = builder.build(seed=seed, households=households, progress=lambda line: print(line, flush=True))
    seconds = round(time.monotonic() - started, 1)
    print(f"生成完成：{result.households} 户、{result.residents} 人，用时 {seconds} 秒。")
    return {"built": True, "build_seconds": seconds, "residents": result.residents, "timings": result.timings}


def signed_in_client(username: str):
    """A test client signed in as `username`, with the second factor marked verified for the session (the
    benchmark measures the list, not the sign-in)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from xiangzhi.accounts import services as account_services
    from xiangzhi.accounts.middleware import SESSION_LAST_ACTIVE, SESSION_STARTED
    from xiangzhi.accounts.models import User
    from xiangzhi.core import clock

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = account_services.totp_device_ensure(user).persistent_id
    stamp = clock.now().timestamp()
    session[SESSION_STARTED] = session[SESSION_LAST_ACTIVE] = stamp
    session.save()
    return client


def unscoped_selector():
    """The baseline: the page's selector replaced by the plainest query that fills the same template."""
    from xiangzhi.people.models import Household

    def household_list(**_filters):
        return Household.objects.select_related("region").order_by("id")

    return household_list


def time_case(client, url: str, n: int, marker: str) -> dict:
    """One untimed request (checked, its SQL counted), four warm-ups, then `n` timed requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url} 返回 {response.status_code}（{response.get('Location', '')}）")
    body = response.content.decode()
    if not re.search(marker, body):
        sys.exit(f"{url} 的页面里没有找到户：数据或页面不符合预期。")
    queries = len(ctx.captured_queries)
    for _ in range(4):
        client.get(url)
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "url": url,
        "requests": n,
        "queries": queries,
        "bytes": len(response.content),
        "rows": len(set(re.findall(r'href="/people/households/(\d+)/"', body))),
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)], 2),
        "max_ms": round(samples[-1], 2),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    default_sqlite = ROOT / "var" / "bench" / f"households-{args.households}.sqlite3"
    database_url = args.database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite}"
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    setup_django(database_url)

    from django import get_version
    from django.db import connection

    from xiangzhi.people import selectors
    from xiangzhi.regions.models import Region

    build = ensure_data(args.households, args.seed)
    client = signed_in_client("demo_town_leader")
    grid = Region.objects.filter(level="grid", code__startswith="141029201205").order_by("code").first()
    marker = r'href="/people/households/\d+/"'
    cases = {
        "first page": "/people/households/",
        "filtered (grid + tag)": f"/people/households/?region={grid.code}&tag=低保",
        "pinyin search (zs)": "/people/households/?q=zs",
        "deep page (200)": "/people/households/?page=200",
    }
    results = {}
    for name, url in cases.items():
        results[name] = time_case(client, url, args.requests, marker)
        print(f"  {name}: {results[name]['median_ms']} ms", flush=True)
    scoped = selectors.household_list
    selectors.household_list = unscoped_selector()
    try:
        results["baseline (unscoped, no search)"] = time_case(
            client, "/people/households/", args.requests, marker
        )
    finally:
        selectors.household_list = scoped
    base = results["baseline (unscoped, no search)"]
    for r in results.values():
        r["median_ratio"] = round(r["median_ms"] / base["median_ms"], 2)
        r["p95_ratio"] = round(r["p95_ms"] / base["p95_ms"], 2)
        r["meets_target"] = r["p95_ms"] < TARGET_P95_MS

    report = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "households": args.households,
        "database": connection.vendor,
        "database_version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else connection.cursor().connection.info.server_version,
        "python": platform.python_version(),
        "django": get_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "target_p95_ms": TARGET_P95_MS,
        "build": build,
        "cases": results,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"household_list-{connection.vendor}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))

    print()
    print(f"/people/households/ — {args.households} 户，{connection.vendor}，每项 {args.requests} 次请求")
    header = (
        f"{'case':34} {'median ms':>10} {'p95 ms':>8} {'×base med':>10} {'×base p95':>10} {'SQL':>4}  p95<100"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        ok = "yes" if r["meets_target"] else "NO"
        print(
            f"{name:34} {r['median_ms']:>10.1f} {r['p95_ms']:>8.1f} {r['median_ratio']:>10.2f} "
            f"{r['p95_ratio']:>10.2f} {r['queries']:>4}  {ok}"
        )
    print(f"\n结果已写入 {out.relative_to(ROOT)}")
    return 0 if all(r["meets_target"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
