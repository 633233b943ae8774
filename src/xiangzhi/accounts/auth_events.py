"""Audit of sign-in failures and lockouts, from the signals of Django and django-axes.

Signals are used here (and only here) because the events are raised inside Django's `authenticate()` and axes'
handler, which no service of ours wraps; the receivers only write audit records."""

from django.contrib.auth.signals import user_login_failed


def on_login_failed(sender, credentials=None, request=None, **kwargs):
    from xiangzhi.accounts import services

    # An attempt refused because the pair is already locked is recorded once, as auth.locked (axes signal).
    if (
        getattr(request, "axes_locked_out", False)
        and getattr(request, "axes_failures_since_start", None) is None
    ):
        return
    _record_failure_once(request, services.axes_username(request, credentials))


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    from xiangzhi.accounts import services

    # axes sets the failure count when this failure reached the limit; it is unset for attempts during the lock.
    event = (
        "locked"
        if getattr(request, "axes_failures_since_start", None) is not None
        else "refused_while_locked"
    )
    username = services.axes_username(request, {"username": username})
    if event == "locked":
        _record_failure_once(request, username)
    services.lockout_record(username=username, event=event)


def _record_failure_once(request, username):
    """The failure that reaches the limit raises both signals, in an order set by app loading: write its
    auth.login_failed first, and once, whichever receiver runs first."""
    from xiangzhi.accounts import services

    if request is not None and getattr(request, "_xz_failure_recorded", False):
        return
    services.login_failed_record(username=username)
    if request is not None:
        request._xz_failure_recorded = True


def connect() -> None:
    from axes.signals import user_locked_out

    user_login_failed.connect(on_login_failed, dispatch_uid="xiangzhi.accounts.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="xiangzhi.accounts.locked_out")
