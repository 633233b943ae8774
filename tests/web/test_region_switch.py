import pytest

from tests.factories import signed_in_client


@pytest.mark.django_db
def test_switcher_offers_the_villages_of_a_town_and_refuses_others(township, make_user):
    user = make_user("town_staff", township.village_a)
    user2 = make_user("town_leader", township.town)
    from xiangzhi.web import region

    assert [r.code for r in region.choices(user2)] == ["141029201", "141029201201", "141029201202"]
    client = signed_in_client(user)
    assert client.post("/region/", {"region": township.village_b.code}).status_code == 400
    assert (
        client.post("/region/", {"region": township.village_a.code, "next": "https://evil.example/"})[
            "Location"
        ]
        == "/"
    )
    assert client.session["xz_region"] == township.village_a.code


@pytest.mark.django_db
def test_villagers_do_not_browse_the_region_tree(township, make_user):
    from xiangzhi import policy

    villager = make_user("villager", township.village_a)
    assert not policy.can(villager, "regions.view")
    page = signed_in_client(villager).get("/")
    assert page.status_code == 200 and 'href="/regions/"' not in page.content.decode()
    assert signed_in_client(villager).get(f"/regions/{township.village_a.code}/").status_code == 404
