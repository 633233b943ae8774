"""The one clock of the system. Tests move it with `frozen(...)` or `advance(...)`; code calls `now()`."""

import contextlib
import datetime as dt
import threading

from django.utils import timezone

_state = threading.local()
_offset = {"delta": dt.timedelta(0), "fixed": None}


def now() -> dt.datetime:
    fixed = _offset["fixed"]
    if fixed is not None:
        return fixed
    return timezone.now() + _offset["delta"]


def today() -> dt.date:
    return timezone.localtime(now()).date()


def set_fixed(moment: dt.datetime | None) -> None:
    _offset["fixed"] = moment


def advance(delta: dt.timedelta) -> None:
    """Move the clock forward (a frozen clock moves too)."""
    if _offset["fixed"] is not None:
        _offset["fixed"] = _offset["fixed"] + delta
    else:
        _offset["delta"] += delta


def reset() -> None:
    _offset["delta"] = dt.timedelta(0)
    _offset["fixed"] = None


@contextlib.contextmanager
def frozen(moment: dt.datetime):
    previous = dict(_offset)
    _offset["fixed"] = moment
    try:
        yield
    finally:
        _offset.update(previous)


del _state
