"""Helpers shared by the case benchmarks (bench/case_list.py, bench/case_intake.py): the database, Django, the
statistics and the report file. Bench-only: nothing in src/ imports it."""

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://xiangzhi:xiangzhi@127.0.0.1:5432"


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database of `database_url` when it is not there (the role needs CREATEDB)."""
    import psycopg

    base, _, name = database_url.rpartition("/")
    if not name or not base.startswith("postgres"):
        sys.exit(f"不是 PostgreSQL 数据库地址：{database_url}")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"已创建数据库 {name}。", flush=True)


def setup_django(database_url: str, settings_module: str = "xiangzhi.settings") -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()


def p95(samples: list[float]) -> float:
    """The 95th percentile the way bench/household_list.py takes it (nearest rank)."""
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(0.95 * len(s))) - 1)]


def summary_ms(samples_ms: list[float]) -> dict:
    return {
        "samples": len(samples_ms),
        "median_ms": round(statistics.median(samples_ms), 2),
        "p95_ms": round(p95(samples_ms), 2),
        "max_ms": round(max(samples_ms), 2),
    }


def machine() -> dict:
    from django import get_version
    from django.db import connection

    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database": connection.vendor,
        "database_version": connection.cursor().connection.info.server_version
        if connection.vendor == "postgresql"
        else None,
        "python": platform.python_version(),
        "django": get_version(),
        "cpus": os.cpu_count(),
        "load_average": load_average(),
    }


def load_average() -> list[float]:
    """The machine's 1/5/15-minute load averages (the benches run on shared machines: every report keeps them)."""
    return [round(x, 2) for x in os.getloadavg()]


def write_report(name: str, report: dict) -> Path:
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    vendor = report.get("machine", {}).get("database", "db")
    out = out_dir / f"{name}-{vendor}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return out
