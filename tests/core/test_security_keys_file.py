"""The keys file (Django's secret key, the audit, lookup and data keys) is readable by its owner only: made with mode
0600 from the first byte, tightened in development when found looser, and a production start refuses a keys file
that its group or others can read."""

import json
import os
import stat
import subprocess
import sys

import pytest

import xiangzhi.settings as project_settings


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def keys_path(tmp_path, monkeypatch):
    path = tmp_path / "var" / "keys.json"
    monkeypatch.setattr(project_settings, "KEYS_FILE", path)
    monkeypatch.setattr(project_settings, "PRODUCTION", False)
    return path


def test_a_new_development_keys_file_is_0600_even_under_a_loose_umask(keys_path):
    old = os.umask(0)
    try:
        keys = project_settings._local_keys()
    finally:
        os.umask(old)
    assert _mode(keys_path) == 0o600
    assert json.loads(keys_path.read_text()) == keys
    assert [p.name for p in keys_path.parent.iterdir()] == ["keys.json"]  # no temporary file left behind


def test_a_loose_development_keys_file_is_tightened(keys_path):
    keys_path.parent.mkdir(parents=True)
    keys_path.write_text(json.dumps({"secret_key": "s"}))
    keys_path.chmod(0o644)
    assert project_settings._local_keys() == {"secret_key": "s"}
    assert _mode(keys_path) == 0o600


def _start_in_production(keys_path):
    env = {
        **os.environ,
        "XIANGZHI_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "XIANGZHI_KEYS_FILE": str(keys_path),
        "XIANGZHI_VAR_DIR": str(keys_path.parent),
    }
    return subprocess.run(
        [sys.executable, "-c", "import xiangzhi.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _keys_file(tmp_path, mode):
    path = tmp_path / "keys.json"
    path.write_text(
        json.dumps(
            {
                "secret_key": "s",
                "audit_key": "a" * 64,
                "lookup_key": "b" * 64,
                "pii_keys": {"k1": "c" * 64},
                "pii_current": "k1",
            }
        )
    )
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_production_refuses_a_keys_file_others_can_read(tmp_path, mode):
    done = _start_in_production(_keys_file(tmp_path, mode))
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "0600" in done.stderr
    assert _mode(tmp_path / "keys.json") == mode  # production reports; it does not change the file


def test_production_starts_with_a_0600_keys_file(tmp_path):
    done = _start_in_production(_keys_file(tmp_path, 0o600))
    assert done.returncode == 0, done.stderr


def test_production_keys_file_is_made_by_keysfile_init_and_never_overwritten(tmp_path):
    path = tmp_path / "etc" / "keys.json"
    cmd = [sys.executable, "-m", "xiangzhi.keysfile", "init", str(path)]
    first = subprocess.run(cmd, capture_output=True, text=True)
    assert first.returncode == 0 and _mode(path) == 0o600
    keys = json.loads(path.read_text())
    assert set(keys) == {"secret_key", "audit_key", "lookup_key", "pii_keys", "pii_current"}
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 1 and "不会覆盖" in again.stderr
    assert json.loads(path.read_text()) == keys
