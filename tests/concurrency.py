"""Running calls at the same moment from several threads (each with its own database connection)."""

import threading


def at_once(*calls):
    """Run the calls in threads released together; return each one's result or exception."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i, fn):
        from django.db import connection as conn

        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 — the outcome under test
            results[i] = exc
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return results
