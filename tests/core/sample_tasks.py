"""Module-level tasks for the worker tests (django-tasks needs importable functions)."""

from django_tasks import task

from xiangzhi.audit.services import record


@task()
def write_marker(label: str) -> str:
    record("tests.marker", region_code="", changes={"label": label})
    return f"done:{label}"


@task()
def explode() -> None:
    raise RuntimeError("boom")
