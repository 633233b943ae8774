"""The access log of `xiangzhi serve` names the path, never the query string or the referrer: a search by full ID
number or phone (`?q=...`), and the `?next=` the account gate adds, would otherwise write them to the log."""

import datetime as dt
from types import SimpleNamespace

from xiangzhi.web.management.commands.serve import Command

ID_NUMBER = "14102919610715002X"
PHONE = "13912345678"


def _access_log_format() -> str:
    argv = Command().gunicorn_argv(host="127.0.0.1", port=8000, workers=1, threads=1)
    assert "--access-logfile" in argv
    assert "--access-logformat" in argv, "gunicorn's default format logs the whole request line"
    return argv[argv.index("--access-logformat") + 1]


def test_the_access_log_line_has_the_path_but_no_query_and_no_referrer():
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    fmt = _access_log_format()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/people/residents/?q={ID_NUMBER}",
        "PATH_INFO": "/people/residents/",
        "QUERY_STRING": f"q={ID_NUMBER}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": f"https://xz.example/accounts/users/?q={PHONE}",
        "HTTP_USER_AGENT": "test",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", headers=[], response_length=10, sent=10)
    atoms = Logger(Config()).atoms(response, request, environ, dt.timedelta(milliseconds=5))
    line = fmt % atoms
    assert "/people/residents/" in line and "GET" in line and "200" in line
    assert ID_NUMBER not in line
    assert PHONE not in line
