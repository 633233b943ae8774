import pytest
from django.test import Client

from tests.factories import signed_in_client, user_with_role
from tests.people import factories as pf
from xiangzhi.accounts import services as accounts


@pytest.fixture
def data(township):
    pf.household(township.grid_a1, head_name="王南山")
    pf.household(township.grid_b1, head_name="钱北坡")
    return township


def bearer(user):
    raw = accounts.token_issue(user=user, otp_verified=True, name="手机")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.django_db
def test_openapi_declares_every_error_response():
    doc = Client().get("/api/v1/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            declared = set(op["responses"])
            assert declared & {"200", "201"}, (method, path, sorted(declared))  # a success (201: created)
            assert {"401", "404", "422"} <= declared, (method, path, sorted(declared))


@pytest.mark.django_db
def test_no_credentials_is_401_in_chinese(data):
    resp = Client().get("/api/v1/households/")
    assert resp.status_code == 401
    assert resp.json() == {"detail": "请先登录或提供有效的令牌。", "code": "unauthenticated"}
    bad = Client(HTTP_AUTHORIZATION="Bearer xz_not-a-token").get("/api/v1/households/")
    assert bad.status_code == 401


@pytest.mark.django_db
def test_token_reads_scoped_and_masked(data):
    worker = user_with_role("grid_worker", data.grid_a1)
    client = bearer(worker)
    page = client.get("/api/v1/households/").json()
    assert [h["head_name"] for h in page["items"]] == ["王南山"] and page["count"] == 1
    hid = page["items"][0]["id"]
    detail = client.get(f"/api/v1/households/{hid}").json()
    member = detail["members"][0]
    assert member["id_number"].startswith("**************") and len(member["id_number"]) == 18
    assert member["birth_date"] == "" and member["age"] > 0
    other = pf.household(data.grid_b1, head_name="孙北坡")
    assert client.get(f"/api/v1/households/{other.pk}").status_code == 404


@pytest.mark.django_db
def test_privileged_browser_session_needs_the_second_factor(data):
    cadre = user_with_role("village_secretary", data.village_a)
    unverified = signed_in_client(cadre, otp_verified=False)
    assert unverified.get("/api/v1/me").status_code in (401, 403)
    verified = signed_in_client(cadre)
    me = verified.get("/api/v1/me").json()
    assert me["roles"] == [
        {"role": "village_secretary", "role_label": "村书记", "region_code": data.village_a.code}
    ]


@pytest.mark.django_db
def test_bad_query_values_answer_422_with_a_reason(data):
    client = bearer(user_with_role("grid_worker", data.grid_a1))
    resp = client.get("/api/v1/households/?page=0")
    assert resp.status_code == 422 and resp.json()["code"] == "validation_failed"
    assert "page" in resp.json()["detail"]
    assert client.get("/api/v1/households/?page_size=abc").status_code == 422
    assert client.get("/api/v1/households/?tag=不存在").status_code == 422
    assert client.get("/api/v1/regions/?level=planet").status_code == 422
