"""What the public reads never show, and the media_url a client sends that the server never fetches."""

import http.server
import json
import threading
import time

import pytest

from xiangzhi.audit.models import AuditRecord
from xiangzhi.cases.models import Case, CaseEvent, CasePhoto

pytestmark = pytest.mark.django_db

FORMATS = ("json", "xml")


def _post(client, world, **extra):
    form = {
        "api_key": world.key,
        "service_code": "ENVIRONMENT.sewage",
        "attribute[village]": world.t.grid_a1.code,
        "lat": "35.981234",
        "long": "110.851876",
        "first_name": "建国",
        "last_name": "赵",
        "phone": "13700001111",
        "email": "zhao.jianguo@example.cn",
        "description": "污水直排河沟，联系我 13700002222。",
        **extra,
    }
    resp = client.post("/open311/v2/requests.json", form)
    assert resp.status_code == 200, resp.content.decode()
    return Case.objects.get(pk=int(json.loads(resp.content)[0]["service_request_id"]))


def test_public_reads_show_no_reporter_no_media_no_exact_point_and_no_private_category(client, world):
    case = _post(client, world, media_url="http://127.0.0.1:9/photo.jpg")
    assert str(case.latitude) == "35.981234"  # stored exactly
    pages = []
    for fmt in FORMATS:
        pages += [
            client.get(f"/open311/v2/requests.{fmt}"),
            client.get(f"/open311/v2/requests/{case.pk}.{fmt}"),
            client.get(f"/open311/v2/requests/{world.garbage.pk}.{fmt}"),
            client.get(f"/open311/v2/requests.{fmt}?service_request_id={case.pk},{world.garbage.pk}"),
            client.get(f"/open311/v2/services.{fmt}"),
        ]
    for resp in pages:
        assert resp.status_code == 200
        text = resp.content.decode()
        for secret in ("赵建国", "13700001111", "zhao.jianguo", "李秀英", "13912345678", "13700002222"):
            assert secret not in text
        for field in ("media_url", "email", "phone", "first_name", "last_name", "reporter", "account_id"):
            assert field not in text
        assert "35.981234" not in text and "110.851876" not in text and "35.973456" not in text
        assert "DISPUTE" not in text and "邻里" not in text and "宅基地" not in text
    detail = json.loads(client.get(f"/open311/v2/requests/{case.pk}.json").content)[0]
    assert (detail["lat"], detail["long"]) == (35.98, 110.85)
    assert detail["address"] == "南山村"  # the village, not the grid
    assert detail["description"] == "污水直排河沟，联系我 ***********。"
    listed = json.loads(client.get("/open311/v2/requests.json").content)
    assert str(case.pk) in {r["service_request_id"] for r in listed}


def test_a_private_category_is_not_found_by_id_list_or_filter(client, world):
    for fmt in FORMATS:
        assert client.get(f"/open311/v2/requests/{world.dispute.pk}.{fmt}").status_code == 404
        assert client.get(f"/open311/v2/services/DISPUTE.{fmt}").status_code == 404
    by_ids = json.loads(
        client.get(f"/open311/v2/requests.json?service_request_id={world.dispute.pk}").content
    )
    assert by_ids == []
    resp = client.get("/open311/v2/requests.json?service_code=DISPUTE.neighbour")
    assert resp.status_code == 400 and "DISPUTE.neighbour" in json.loads(resp.content)[0]["description"]


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"\xff\xd8\xff")

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def media_server():
    """A real HTTP server on the loopback that records every request it gets."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.hits
    server.shutdown()
    server.server_close()


def test_media_url_is_never_fetched_nor_stored(client, world, media_server):
    base, hits = media_server
    urls = [f"{base}/photo-of-the-sewage.jpg", "http://127.0.0.1:9/discard.jpg"]
    for url in urls:
        started = time.monotonic()
        case = _post(client, world, media_url=url)
        assert time.monotonic() - started < 5
        assert not CasePhoto.objects.filter(case=case).exists()
        stored = [
            *Case.objects.filter(pk=case.pk).values_list(),
            *CaseEvent.objects.filter(case=case).values_list(),
            *AuditRecord.objects.values_list("changes", "object_repr"),
        ]
        assert "photo-of-the-sewage" not in repr(stored) and "discard.jpg" not in repr(stored)
    time.sleep(0.2)  # anything fetched in the background would have arrived by now
    assert hits == []
