"""The demo commands: `xiangzhi demo`, `xiangzhi demo-accounts`, `xiangzhi serve` (each test builds its own)."""

from importlib import import_module

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiangzhi.accounts.models import User
from xiangzhi.accounts.roles import ROLES
from xiangzhi.demo import builder
from xiangzhi.people.models import Household


@pytest.mark.django_db
def test_command_if_empty_keeps_existing_data(capsys):
    call_command("demo", "--households", "40", "--seed", "3")
    count = Household.objects.count()
    assert count == 40
    call_command("demo", "--if-empty", "--households", "80")
    assert Household.objects.count() == count
    assert "已存在" in capsys.readouterr().out
    with pytest.raises(CommandError, match="已存在"):
        call_command("demo", "--households", "40")


@pytest.mark.django_db
def test_demo_accounts_only_in_demo_mode(settings, capsys):
    builder.build(seed=5, households=30)
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="演示模式"):
        call_command("demo-accounts")
    settings.DEMO_MODE = True
    call_command("demo-accounts")
    out = capsys.readouterr().out
    for role in set(ROLES) - {"villager"}:
        assert f"demo_{role}" in out
    assert builder.DEMO_PASSWORD in out and "otp-code" in out
    assert "另有网格员账号 32 个" in out
    # An account whose password was changed is no longer listed: its password is not known any more.
    user = User.objects.get(username="demo_mediator")
    user.set_password("Another#Pass-2031")
    user.save()
    call_command("demo-accounts")
    assert "demo_mediator" not in capsys.readouterr().out


def test_serve_runs_gunicorn_after_collectstatic(monkeypatch, capsys):
    serve = import_module("xiangzhi.web.management.commands.serve")
    calls = []
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: calls.append(("collectstatic", a, k)))
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: calls.append(("exec", path, argv)))
    call_command("serve", "--port", "8123")
    (_, args, kwargs), (_, _path, argv) = calls
    assert args == ("collectstatic",) and kwargs["interactive"] is False
    assert argv[1:4] == ["-m", "gunicorn", "xiangzhi.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "2"
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out
