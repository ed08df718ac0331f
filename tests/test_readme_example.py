# The README's pytest example, exactly as printed there (tests/test_plugin.py checks they match).
import httpx
import pytest

APP = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.mark.mockserver_scenario("scenarios/blocked_user.yaml")
def test_registering_a_chat_id(mockserver):
    r = httpx.post(
        f"{mockserver.url}/api/v1/apps/{APP}/tokens",
        auth=("any", "test-key"),
        json={"tokens": [{"token": "333", "phone": "+38 (067) 123-45-67"}]},
    )
    assert r.status_code == 200
    assert mockserver.count(method="POST", path="/api/v1/apps/*/tokens") == 1
    ivan = next(c for c in mockserver.contacts() if c["id"] == 1003)
    assert ivan["tokens"] == {APP: ["333"]}


@pytest.mark.mockserver_scenario("scenarios/blocked_user.yaml")
def test_a_rate_limited_api(mockserver):
    mockserver.add_fault({"status": 429, "headers": {"Retry-After": "2"}}, match={"path": "/api/*"}, times=1)
    url = f"{mockserver.url}/api/v1/apps/{APP}/tokens"
    body = {"tokens": [{"token": "444", "email": "new@example.com"}]}
    first = httpx.post(url, auth=("any", "test-key"), json=body)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "2")
    assert httpx.post(url, auth=("any", "test-key"), json=body).status_code == 200
    assert mockserver.verify([{"contact": {"email": "new@example.com"}, "tokens": {APP: ["444"]}}])["passed"]


def test_each_test_starts_from_a_fresh_world(mockserver):
    assert mockserver.state()["contacts"] == []  # no marker: an empty world
    assert mockserver.count() == 0
