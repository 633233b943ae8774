import pytest


@pytest.fixture
def axes_on_clock(monkeypatch):
    """django-axes stamps attempts with Django's time (`django.utils.timezone.now`, imported by name into its
    proxy handler and its threshold helper). Bind both to the movable clock so tests can cross the 30-minute
    cool-off exactly; everything else axes does is left as it is."""
    from xiangzhi.core import clock

    monkeypatch.setattr("axes.handlers.proxy.now", clock.now)
    monkeypatch.setattr("axes.attempts.now", clock.now)


@pytest.fixture
def fixed_clock():
    import datetime as dt

    from xiangzhi.core import clock

    clock.set_fixed(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    return clock
