"""Files in GET/PUT /_mock/state and the state file: bytes in base64, exact round trip, ids checked,
and the byte cap as a limit (scenario, CLI flag) that survives resets and restores."""

from __future__ import annotations

import base64

import httpx
import orjson
import pytest

from mockserver import Emulator, create_app
from mockserver.cli import build_emulator, serve_parser
from mockserver.statefile import read_state
from tests.botapi import images
from tests.botapi.conftest import BOT, TOKEN
from tests.conftest import basic, empty_scenario

pytestmark = pytest.mark.anyio
SHOP = {"app_uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "token": TOKEN, "username": "demo_shop_bot"}
PNG = images.png(12, 9)


def client_for(emulator: Emulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://mock", headers=basic())


async def fill(client) -> dict:
    """A photo upload, a document upload, a URL document and an album: every kind of file the store keeps."""
    photo = (await client.post(f"{BOT}/sendPhoto", data={"chat_id": "111", "caption": "p"}, files={"photo": ("p.png", PNG)})).json()["result"]
    await client.post(f"{BOT}/sendDocument", data={"chat_id": "111"}, files={"document": ("n.txt", b"\x00\xffnotes", "text/plain")})
    await client.post(f"{BOT}/sendDocument", json={"chat_id": 111, "document": "https://x.example/terms.pdf"})
    media = [{"type": "photo", "media": photo["photo"][0]["file_id"]}, {"type": "photo", "media": "attach://b"}]
    r = await client.post(f"{BOT}/sendMediaGroup", data={"chat_id": "111", "media": orjson.dumps(media).decode()},
                          files={"b": ("b.gif", images.gif(5, 5))})
    assert r.status_code == 200, r.text
    return photo


async def test_files_survive_get_reset_put_exactly_and_the_world_carries_on():
    emulator = Emulator(empty_scenario(bots=[SHOP]))
    async with client_for(emulator) as client:
        photo = await fill(client)
        saved = (await client.get("/_mock/state")).json()
        files = saved["files"]
        assert [(f["kind"], f["size"], f["file_path"]) for f in files] == [
            ("photo", len(PNG), "photos/file_0.jpg"), ("document", 7, "documents/file_1.txt"),
            ("document", 0, None), ("photo", len(images.gif(5, 5)), "photos/file_3.jpg"),
        ]
        assert base64.b64decode(files[1]["data"]) == b"\x00\xffnotes" and files[2]["data"] is None
        await client.post("/_mock/reset")
        assert (await client.get("/_mock/state")).json()["files"] == []
        assert (await client.put("/_mock/state", json=saved)).status_code == 200
        assert (await client.get("/_mock/state")).json() == saved
        # The restored store answers as the original: getFile, the file server, re-sends, numbering.
        file_id = photo["photo"][0]["file_id"]
        assert (await client.post(f"{BOT}/getFile", json={"file_id": file_id})).json()["result"]["file_path"] == "photos/file_0.jpg"
        assert (await client.get(f"/file/bot{TOKEN}/photos/file_0.jpg")).content == PNG
        assert (await client.get(f"/file/bot{TOKEN}/documents/file_1.txt")).content == b"\x00\xffnotes"
        again = (await client.post(f"{BOT}/sendPhoto", json={"chat_id": 111, "photo": file_id})).json()["result"]
        assert again["photo"] == photo["photo"]
        new = (await client.post(f"{BOT}/sendDocument", data={"chat_id": "111"}, files={"document": ("z.txt", b"z")})).json()["result"]
        assert (await client.post(f"{BOT}/getFile", json={"file_id": new["document"]["file_id"]})).json()["result"]["file_path"] == "documents/file_4.txt"


def tampered(saved: dict, index: int, **changes) -> dict:
    files = [dict(f) for f in saved["files"]]
    files[index].update(changes)
    return {**saved, "files": files}


@pytest.mark.parametrize(
    "change, detail",
    [
        (lambda s: tampered(s, 0, file_id="AgACAgAAAAAHW80VAAAAAJLsGduAo52uBA"), "files[0].file_id: must be"),
        (lambda s: tampered(s, 1, data="***"), "files[1].data: is not valid base64"),
        (lambda s: tampered(s, 1, data=""), "files[1].data: must not be empty"),
        (lambda s: tampered(s, 1, number=7), "files[1].number: must be 1"),
        (lambda s: tampered(s, 0, kind="video"), "files[0].kind: must be one of photo, document"),
        (lambda s: tampered(s, 0, app_uuid="00000000-0000-4000-8000-000000000000"), "files[0].app_uuid: names no app of the snapshot"),
        (lambda s: tampered(s, 2, data="eA=="), "files[2]: holds either data (an upload) or url (a file sent by URL)"),
        (lambda s: {**s, "files": "none"}, "files: must be a list of objects"),
    ],
)
async def test_a_bad_files_part_is_refused_and_changes_nothing(change, detail):
    emulator = Emulator(empty_scenario(bots=[SHOP]))
    async with client_for(emulator) as client:
        await fill(client)
        saved = (await client.get("/_mock/state")).json()
        r = await client.put("/_mock/state", json=change(saved))
        assert r.status_code == 400 and detail in str(r.json()), r.text
        assert (await client.get("/_mock/state")).json() == saved


async def test_the_byte_cap_is_a_limit_of_the_scenario_and_of_the_state():
    emulator = Emulator(empty_scenario(bots=[SHOP], limits={"file_store_bytes": len(PNG)}))
    async with client_for(emulator) as client:
        assert (await client.post(f"{BOT}/sendPhoto", data={"chat_id": "111"}, files={"photo": ("p.png", PNG)})).status_code == 200
        full = await client.post(f"{BOT}/sendPhoto", data={"chat_id": "111"}, files={"photo": ("p.png", PNG)})
        assert full.status_code == 413 and "file store is full" in full.json()["description"]
        saved = (await client.get("/_mock/state")).json()
        assert saved["settings"]["limits"]["file_store_bytes"] == len(PNG)
        saved["settings"]["limits"]["file_store_bytes"] = 10 * len(PNG)
        assert (await client.put("/_mock/state", json=saved)).status_code == 200
        assert emulator.world.files.capacity == 10 * len(PNG)
        assert (await client.post(f"{BOT}/sendPhoto", data={"chat_id": "111"}, files={"photo": ("p.png", PNG)})).status_code == 200


async def test_the_command_line_cap_wins_over_the_scenario_across_resets(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("bots:\n  - {app_uuid: 3fa85f64-5717-4562-b3fc-2c963f66afa6, token: '" + TOKEN + "', username: demo_shop_bot}\n"
                        "limits: {file_store_bytes: 5}\n")
    args = serve_parser().parse_args(["--scenario", str(scenario), "--file-store-bytes", "1000"])
    emulator = build_emulator(args)
    assert emulator.world.limits.file_store_bytes == 1000 and emulator.world.files.capacity == 1000
    emulator.reset()
    assert emulator.world.files.capacity == 1000
    assert Emulator(empty_scenario()).world.files.capacity == 256 * 1024 * 1024


def test_a_non_positive_cap_is_a_usage_error(capsys):
    from mockserver.cli import main

    assert main(["--file-store-bytes", "0"]) == 2
    assert "--file-store-bytes must be positive" in capsys.readouterr().err


async def test_files_are_in_the_state_file(tmp_path):
    path = tmp_path / "state.json"
    emulator = Emulator(empty_scenario(bots=[SHOP]), state_file=path)
    async with client_for(emulator) as client:
        await fill(client)
        live = (await client.get("/_mock/state")).json()
    emulator.save_state()
    assert read_state(path)["files"] == live["files"]
    again = Emulator(empty_scenario(bots=[SHOP]))
    again.world.restore(read_state(path))
    assert again.world.files.download(again.world.apps.resolve("demo_shop_bot"), "photos/file_0.jpg") == PNG
