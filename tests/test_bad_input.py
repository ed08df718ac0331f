"""A corpus of bad input sent through the real routing (create_app): never a 500, always a 4xx
that names the problem, and the world exactly as it was before."""

from __future__ import annotations

import json

import httpx
import pytest

from mockserver import Emulator, create_app
from tests.conftest import APP_UUID, basic

pytestmark = pytest.mark.anyio

URL = f"/api/v1/apps/{APP_UUID}/tokens"
JSON = {"Content-Type": "application/json"}
LIMIT = 256 * 1024


def item(**fields) -> bytes:
    return json.dumps({"tokens": [{"token": "900", "email": "new@example.com", **fields}]}).encode()


# name: (raw body, headers, expected status, words the message must contain)
TOKENS_CORPUS = {
    "malformed JSON": (b'{"tokens": [', JSON, 400, "not valid JSON"),
    "trailing garbage": (b'{"tokens": []} x', JSON, 400, "not valid JSON"),
    "NaN": (b'{"tokens": [{"token": "1", "contactId": NaN}]}', JSON, 400, "not valid JSON"),
    "empty body": (b"", JSON, 400, "empty"),
    "JSON array": (b"[1, 2]", JSON, 400, "JSON object"),
    "JSON string": (b'"tokens"', JSON, 400, "JSON object"),
    "JSON null": (b"null", JSON, 400, "JSON object"),
    "no Content-Type": (item(), {}, 415, "Content-Type is missing"),
    "text/plain": (item(), {"Content-Type": "text/plain"}, 415, "text/plain is not supported"),
    "form": (b"tokens=1", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "not supported"),
    "invalid UTF-8": (b'{"tokens": [{"token": "\xff\xfe", "email": "a@b.c"}]}', JSON, 400, "UTF-8"),
    "byte order mark": (b"\xef\xbb\xbf" + item(), JSON, 400, "byte order mark"),
    "lone surrogate escape": (b'{"tokens": [{"token": "\\ud800", "email": "a@b.c"}]}', JSON, 400, "surrogate"),
    "deep nesting": (b"[" * 100_000, JSON, 400, "nested too deeply"),
    "deep nesting in an item": (b'{"tokens": [' + b"[" * 5000 + b"]" * 5000 + b"]}", JSON, 400, "nested too deeply"),
    "huge top-level array": (json.dumps([0] * 20_000).encode(), JSON, 400, "JSON object"),
    "too many items": (json.dumps({"tokens": [{"token": "1", "email": "a@b.c"}] * 3001}).encode(), JSON, 400,
                       "Too many tokens: 3001"),
    "tokens is a string": (b'{"tokens": "900"}', JSON, 400, "'tokens' must be an array"),
    "tokens is missing": (b'{"token": "900", "email": "a@b.c"}', JSON, 400, "'tokens' is required"),
    "item is a number": (b'{"tokens": [900]}', JSON, 400, "tokens[0] must be an object"),
    "token is a number": (item(token=900), JSON, 400, "tokens[0].token must be a non-empty string"),
    "contactId is text": (item(contactId="1001"), JSON, 400, "tokens[0].contactId must be an integer"),
    "contactId is a float": (item(contactId=1001.5), JSON, 400, "tokens[0].contactId must be an integer"),
    "contactId above int64": (item(contactId=2**63), JSON, 400, "tokens[0].contactId is out of the int64 range"),
    "contactId below int64": (item(contactId=-(2**63) - 1), JSON, 400, "contactId must be an integer in the int64 range"),
    "contactId above uint64": (b'{"tokens": [{"token": "1", "contactId": 99999999999999999999999}]}', JSON, 400,
                               "int64 range"),
    "contactId beyond double": (b'{"tokens": [{"token": "1", "contactId": 1e400}]}', JSON, 400, "infinity"),
    "email is an object": (item(email={"a": 1}), JSON, 400, "tokens[0].email must be a string"),
    "empty token": (item(token=""), JSON, 400, "tokens[0].token must be a non-empty string"),
    "empty email": (json.dumps({"tokens": [{"token": "1", "email": ""}]}).encode(), JSON, 400,
                    "tokens[0].email must not be empty"),
    "empty externalCustomerId": (item(externalCustomerId=""), JSON, 400, "tokens[0].externalCustomerId must not be empty"),
    "long token": (item(token="9" * 256), JSON, 400, "tokens[0].token is longer than 255"),
    "very long email": (item(email="a" * 50_000 + "@example.com"), JSON, 400, "tokens[0].email is longer than 255"),
    "ideographic-space token": (item(token="\u3000\u2003"), JSON, 400, "tokens[0].token must be a non-empty string"),
    "NUL phone": (json.dumps({"tokens": [{"token": "1", "phone": "\u0000"}]}).encode(), JSON, 400,
                  "tokens[0].phone must contain digits"),
    "emoji phone": (json.dumps({"tokens": [{"token": "1", "phone": "\U0001f4de"}]}).encode(), JSON, 400,
                    "tokens[0].phone must contain digits"),
    "body above the limit": (b" " * (LIMIT + 1), JSON, 413, f"limit of {LIMIT} bytes"),
}


@pytest.fixture
def emulator(scenario) -> Emulator:
    return Emulator(scenario, body_limit=LIMIT)


async def state(client) -> dict:
    r = await client.get("/_mock/state")
    assert r.status_code == 200
    return r.json()


@pytest.mark.parametrize("name", sorted(TOKENS_CORPUS))
async def test_tokens_corpus(client, name):
    body, headers, status, words = TOKENS_CORPUS[name]
    before = await state(client)
    r = await client.post(URL, content=body, headers=headers)
    assert r.status_code == status, r.text
    assert words in r.text
    assert await state(client) == before


@pytest.mark.parametrize(
    "path, status, words",
    [
        ("/api/v1/apps/not-a-uuid/tokens", 400, "Wrong app uuid"),
        ("/api/v1/apps/\u202e3fa85f64-5717-4562-b3fc-2c963f66afa6/tokens", 400, "Wrong app uuid"),
        ("/api/v1/apps/00000000-0000-0000-0000-000000000000/tokens", 404, "Not registered application"),
        ("/api/v1/apps/tokens", 404, "nothing is served at /api/v1/apps/tokens"),
        ("/api/v2/whatever", 404, "nothing is served at /api/v2/whatever"),
        ("/elsewhere", 404, "this emulator serves"),
    ],
)
async def test_bad_paths(client, path, status, words):
    before = await state(client)
    r = await client.post(path, content=item(), headers=JSON)
    assert (r.status_code, words in r.text) == (status, True), r.text
    assert await state(client) == before


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "PURGE"])
async def test_unknown_method_on_tokens(client, method):
    before = await state(client)
    r = await client.request(method, URL, content=item(), headers=JSON)
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert f"Method {method} is not allowed" in r.text and "allowed: POST" in r.text
    assert await state(client) == before


@pytest.mark.parametrize(
    "method, path, allow",
    [
        ("GET", "/_mock/reset", "POST"),
        ("DELETE", "/_mock/reset", "POST"),
        ("POST", "/_mock/state", "GET, HEAD, PUT"),  # PUT restores a state (issue 5)
        ("PUT", "/_mock/requests", "GET, HEAD"),
        ("DELETE", "/_mock/health", "GET, HEAD"),
    ],
)
async def test_unknown_method_on_control_plane(client, method, path, allow):
    before = await state(client)
    r = await client.request(method, path)
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == set(allow.split(", "))
    body = r.json()
    assert body["error"] == "Method Not Allowed"
    assert body["detail"] == f"Method {method} is not allowed on {path}; allowed: {r.headers['allow']}"
    assert await state(client) == before


async def test_unknown_control_path(client):
    r = await client.get("/_mock/nowhere")
    assert r.status_code == 404
    assert r.json()["detail"] == "Not Found: nothing is served at /_mock/nowhere"


async def test_reset_with_a_body_above_the_limit_does_not_reset(client):
    assert (await client.post(URL, content=item(), headers=JSON)).status_code == 200
    before = await state(client)
    r = await client.post("/_mock/reset", content=b"x" * (LIMIT + 1))
    assert r.status_code == 413
    assert r.json()["error"] == f"Request body is larger than the limit of {LIMIT} bytes"
    assert await state(client) == before


async def test_body_limit_is_configurable_per_emulator(scenario):
    app = create_app(Emulator(scenario, body_limit=10))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock", headers=basic()) as c:
        r = await c.post(URL, content=item(), headers=JSON)
    assert r.status_code == 413 and "limit of 10 bytes" in r.text


@pytest.mark.parametrize("token", ["\u0000", "\u202eRTL\u202c", "\U0001f600\u200d\U0001f525", "\ufeff1"])
async def test_odd_unicode_in_free_text_is_data_not_an_error(client, token):
    """A token is any non-blank string: odd characters are stored verbatim, not refused."""
    r = await client.post(URL, json={"tokens": [{"token": token, "externalCustomerId": "odd"}]})
    assert r.status_code == 200
    created = [c for c in (await state(client))["contacts"] if c["externalCustomerId"] == "odd"]
    assert created[0]["tokens"] == {APP_UUID: [token]}


async def test_a_streamed_body_above_the_limit_is_413_without_content_length(client):
    """Chunked bodies carry no Content-Length: the limit is also kept while reading."""
    chunk = b" " * (64 * 1024)

    async def stream():
        for _ in range(LIMIT // len(chunk) + 1):
            yield chunk

    before = await state(client)
    r = await client.post(URL, content=stream(), headers=JSON)
    assert r.status_code == 413 and f"limit of {LIMIT} bytes" in r.text
    assert await state(client) == before


@pytest.mark.parametrize("value", ["ten", "-1", "1e3", "\u0661"])
async def test_a_content_length_that_is_no_number_is_400(client, value):
    before = await state(client)
    r = await client.post(URL, content=item(), headers={**JSON, "Content-Length": value.encode("utf-8")})
    assert r.status_code == 400 and "Content-Length is not a number" in r.text
    assert await state(client) == before
