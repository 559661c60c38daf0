"""Places for the phone's building → unit picker: the caller's community, their own grid first."""
import pytest

pytestmark = pytest.mark.e2e


def grids_of(answer) -> list[dict]:
    assert answer.status_code == 200, answer.text
    (community,) = answer.json()["communities"]
    return community["grids"]


def test_a_grid_worker_gets_her_grid_first_with_its_buildings_and_units(as_user):
    grids = grids_of(as_user("zhangyan").get("/api/v1/places"))
    assert grids[0]["code"] == "g04" and grids[0]["mine"] is True
    assert [b["code"] for b in grids[0]["buildings"]] == ["47", "48"]
    assert grids[0]["buildings"][0]["units"] == sorted(grids[0]["buildings"][0]["units"], key=int)
    assert grids[0]["buildings"][0]["property_company"]["name"] == "砚台岭物业服务中心"
    assert len(grids) == 8 and not any(g["mine"] for g in grids[1:])
    assert [g["code"] for g in grids[1:]] == sorted(g["code"] for g in grids[1:])
    every_building = [b["code"] for g in grids for b in g["buildings"]]
    assert sorted(every_building, key=int) == [str(n) for n in range(41, 57)]


def test_a_resident_sees_the_places_of_her_community_and_no_person(as_user):
    answer = as_user("ytl-44-1-01").get("/api/v1/places")
    grids = grids_of(answer)
    assert any(b["code"] == "44" for g in grids for b in g["buildings"])
    assert "张燕" not in answer.text and "phone" not in answer.text


def test_the_street_platform_gets_each_community_of_its_street(as_user):
    answer = as_user("lanshan-street").get("/api/v1/places")
    assert answer.status_code == 200
    assert [c["code"] for c in answer.json()["communities"]] == ["jqs", "ytl"]


def test_district_it_may_not_read_places(as_user):
    answer = as_user("district-it").get("/api/v1/places", headers={"Accept-Language": "en"})
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden_role"
