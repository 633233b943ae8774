"""`xiangzhi serve`: collect the static files, then serve the site with gunicorn."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# gunicorn's default access line holds the whole request line and the referrer, so a search by ID number or phone
# (`?q=...`) or the account gate's `?next=` would reach the log. Path only (%(U)s), no query, no referrer.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(D)s "%(a)s"'


class Command(BaseCommand):
    help = "启动网站（gunicorn，2 个进程，多线程）；先收集静态文件"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def gunicorn_argv(self, *, host, port, workers, threads) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "xiangzhi.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            "--graceful-timeout",
            "10",
        ]

    def handle(self, *args, host, port, workers, threads, **opts):
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = self.gunicorn_argv(host=host, port=port, workers=workers, threads=threads)
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"乡治已启动：http://{shown}:{port}/  （按 Ctrl+C 停止）")
        if settings.DEMO_MODE:
            self.stdout.write("演示模式：账号见上表，或运行 xiangzhi demo-accounts。")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiangzhi.settings")
        os.execv(sys.executable, argv)
