"""`xiangzhi worker`: the one background process.

Each pass: enqueue the periodic jobs that are due (core.periodic.enqueue_due), reap tasks a killed worker left
running (core.periodic.reap_stale), then run every ready task with django_tasks_db's own worker until the queue
is empty. Between passes it sleeps `--interval` seconds. `--once` runs a single pass and exits (tests, cron).
Several workers may run at once: the periodic enqueue is guarded by a unique row, tasks are claimed with
`SELECT … FOR UPDATE SKIP LOCKED` by django_tasks_db.
"""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from xiangzhi.core import context, periodic

logger = logging.getLogger("xiangzhi.worker")


class Command(BaseCommand):
    help = "后台任务进程：按时投递周期任务、清理中断的任务、执行队列中的任务"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只执行一轮后退出（测试、cron 用）")
        parser.add_argument("--interval", type=float, default=5.0, help="两轮之间等待的秒数（默认 5）")
        parser.add_argument(
            "--queue-name", default="default", help="处理的队列，逗号分隔；* 表示全部（默认 default）"
        )
        parser.add_argument("--backend", default="default", help="任务后端别名（须为数据库后端）")
        parser.add_argument("--worker-id", default="", help="工作进程编号（默认随机）")

    def handle(
        self, *args, once: bool, interval: float, queue_name: str, backend: str, worker_id: str, **opts
    ):
        periodic.autodiscover()
        if opts.get("verbosity", 1) < 2:
            # django_tasks_db says "Starting worker" on every pass; keep its warnings, drop that chatter.
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        self.worker_id = worker_id or get_random_string(32)
        self.stopping = False
        self.current: Worker | None = None
        if not once:
            signal.signal(signal.SIGINT, self._stop)
            signal.signal(signal.SIGTERM, self._stop)
        queues = [q for q in queue_name.split(",") if q]
        while True:
            self.run_pass(queues=queues, backend=backend)
            if once or self.stopping:
                break
            deadline = time.monotonic() + interval
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, interval))
            if self.stopping:
                break

    def run_pass(self, *, queues: list[str], backend: str) -> None:
        with context.acting_as(None, label="worker"):
            enqueued = periodic.enqueue_due()
            reaped = periodic.reap_stale()
        if enqueued or reaped:
            logger.info("worker.pass", extra={"enqueued": enqueued, "reaped": reaped})
        self.current = Worker(
            queue_names=queues,
            interval=0,
            batch=True,
            backend_name=backend,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        # The task runs under the worker's identity: audit records it writes say "worker".
        with context.acting_as(None, label="worker"):
            self.current.run()
        self.current = None

    def _stop(self, signum, frame):
        """First signal: finish the running task, then stop. Second signal: stop now."""
        if self.stopping:
            raise SystemExit(1)
        self.stopping = True
        if self.current is not None:
            self.current.running = False
