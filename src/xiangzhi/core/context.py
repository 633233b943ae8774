"""Who is acting, from where: set per request by RequestContextMiddleware, per command by `acting_as`."""

import contextlib
import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user: object | None = None  # accounts.User or None for the system
    ip: str | None = None
    request_id: str = ""
    label: str = ""  # "system", "cli", "worker" when there is no user


_current: contextvars.ContextVar[Actor] = contextvars.ContextVar(
    "xiangzhi_actor", default=Actor(label="system")
)


def current() -> Actor:
    return _current.get()


@contextlib.contextmanager
def acting_as(user=None, *, ip: str | None = None, label: str = ""):
    from xiangzhi.audit.services import flush_denials, start_denials_scope

    token = _current.set(
        Actor(user=user, ip=ip, request_id=uuid.uuid4().hex[:16], label=label or ("" if user else "system"))
    )
    denials = start_denials_scope()
    try:
        yield
    finally:
        flush_denials(denials)
        _current.reset(token)


def set_for_request(user, ip: str | None, request_id: str):
    return _current.set(Actor(user=user, ip=ip, request_id=request_id))


def reset(token) -> None:
    _current.reset(token)


def bind_user(user) -> None:
    """Token-authenticated API calls learn their user after the middleware ran."""
    actor = _current.get()
    _current.set(Actor(user=user, ip=actor.ip, request_id=actor.request_id, label=actor.label))
