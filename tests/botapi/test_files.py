"""sendPhoto, sendDocument, sendMediaGroup, getFile and the file server over HTTP: uploads, ids, URLs, refusals."""

from __future__ import annotations

import orjson
import pytest

from mockserver import Emulator, create_app
from mockserver.domain.telegram.files import MAX_PHOTO_BYTES, MAX_UPLOAD_BYTES
from tests.botapi import images
from tests.botapi.conftest import BOT, TOKEN, state
from tests.botapi.test_door import envelope_error

pytestmark = pytest.mark.anyio
PNG = images.png(40, 30)


async def send_photo(client, data: bytes = PNG, **params):
    return await client.post(f"{BOT}/sendPhoto", data={"chat_id": "111", **params}, files={"photo": ("cat.png", data, "image/png")})


async def send_document(client, data: bytes = b"%PDF-1.7 demo", name: str = "terms.pdf", kind: str | None = None, **params):
    part = (name, data, kind) if kind else (name, data)
    return await client.post(f"{BOT}/sendDocument", data={"chat_id": "111", **params}, files={"document": part})


def result(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()["result"]


async def test_a_photo_upload_returns_its_photo_sizes_and_lands_in_the_chat(client):
    message = result(await send_photo(client, caption="<b>New</b> cat", parse_mode="HTML"))
    [size] = message["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (40, 30, len(PNG))
    assert size["file_id"].startswith("AgAC") and size["file_unique_id"].startswith("AQAD")
    assert (message["caption"], message["caption_entities"]) == ("New cat", [{"type": "bold", "offset": 0, "length": 3}])
    assert message["message_id"] == 1 and message["chat"]["id"] == 111 and message["from"]["is_bot"] is True
    assert "text" not in message
    chat = (await client.get("/_mock/telegram/chats/111/messages")).json()
    assert chat["messages"] == [message]  # the user's view names the photo by its file id


async def test_get_file_and_the_file_server_give_the_bytes_back(client):
    [size] = result(await send_photo(client))["photo"]
    file = result(await client.post(f"{BOT}/getFile", json={"file_id": size["file_id"]}))
    assert file == {"file_id": size["file_id"], "file_unique_id": size["file_unique_id"], "file_size": len(PNG), "file_path": "photos/file_0.jpg"}
    r = await client.get(f"/file/bot{TOKEN}/photos/file_0.jpg")
    assert (r.status_code, r.content, r.headers["content-type"]) == (200, PNG, "application/octet-stream")
    r = await client.get(f"{BOT}/getFile", params={"file_id": size["file_id"]})  # GET with a query works as well
    assert result(r)["file_path"] == "photos/file_0.jpg"


@pytest.mark.parametrize(
    "path",
    [
        f"/file/bot{TOKEN}/photos/file_9.jpg",
        f"/file/bot{TOKEN}/photos",
        "/file/bot42:" + "A" * 35 + "/photos/file_0.jpg",
        "/file/botnonsense/photos/file_0.jpg",
    ],
)
async def test_the_file_server_answers_404_for_what_it_does_not_hold(client, path):
    await send_photo(client)
    envelope_error(await client.get(path), 404, "Not Found")


async def test_a_file_is_served_only_to_the_bot_that_sent_it(scenario):
    scenario = {**scenario, "bots": [*scenario["bots"], {"app_uuid": "0b6d9a4e-1f0c-4d7e-9a55-2f8e1c3b7a10",
                                                        "token": "222333444:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2", "username": "other_bot"}]}
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(Emulator(scenario))), base_url="http://mock") as client:
        [size] = result(await send_photo(client))["photo"]
        other = "/bot222333444:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2"
        envelope_error(await client.post(f"{other}/getFile", json={"file_id": size["file_id"]}), 400,
                       "Bad Request: wrong file_id or the file is temporarily unavailable")
        envelope_error(await client.post(f"{other}/sendPhoto", json={"chat_id": 111, "photo": size["file_id"]}), 400,
                       "Bad Request: wrong file identifier/HTTP URL specified")
        envelope_error(await client.get("/file/bot222333444:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2/photos/file_0.jpg"), 404, "Not Found")


async def test_a_photo_sent_again_by_file_id_is_the_same_file(client, emulator):
    first = result(await send_photo(client))["photo"]
    again = result(await client.post(f"{BOT}/sendPhoto", json={"chat_id": 111, "photo": first[0]["file_id"], "caption": "again"}))
    assert again["photo"] == first and again["message_id"] == 2 and again["caption"] == "again"
    assert len(emulator.world.files) == 1


async def test_a_photo_by_url_is_recorded_and_never_fetched(client, emulator):
    message = result(await client.post(f"{BOT}/sendPhoto", json={"chat_id": 111, "photo": "https://cdn.example.com/cat.jpg"}))
    [size] = message["photo"]
    assert (size["width"], size["height"]) == (0, 0) and "file_size" not in size
    [file] = emulator.world.files.files
    assert (file.url, file.data) == ("https://cdn.example.com/cat.jpg", None)
    envelope_error(await client.post(f"{BOT}/getFile", json={"file_id": size["file_id"]}), 400,
                   "Bad Request: wrong file_id or the file is temporarily unavailable")


async def test_attach_names_the_part_that_holds_the_photo(client):
    r = await client.post(f"{BOT}/sendPhoto", data={"chat_id": "111", "photo": "attach://pic"}, files={"pic": ("x.gif", images.gif(3, 2))})
    assert result(r)["photo"][0]["width"] == 3


async def test_photo_flags_and_reply_markup(client):
    markup = {"inline_keyboard": [[{"text": "Buy", "url": "https://shop.example"}]]}
    message = result(await send_photo(client, has_spoiler="true", show_caption_above_media="true", protect_content="true",
                                      disable_notification="true", caption="x", reply_markup=orjson.dumps(markup).decode()))
    assert (message["has_media_spoiler"], message["show_caption_above_media"], message["has_protected_content"]) == (True, True, True)
    assert message["reply_markup"] == markup
    plain = result(await send_photo(client))
    assert not {"has_media_spoiler", "show_caption_above_media", "has_protected_content", "caption", "reply_markup"} & set(plain)


async def test_a_document_keeps_its_name_and_type(client):
    message = result(await send_document(client, caption="Terms", kind="application/octet-stream"))
    document = message["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == ("terms.pdf", "application/pdf", 13)
    assert document["file_id"].startswith("BQAC") and message["caption"] == "Terms"
    assert result(await client.post(f"{BOT}/getFile", json={"file_id": document["file_id"]}))["file_path"] == "documents/file_0.pdf"
    assert (await client.get(f"/file/bot{TOKEN}/documents/file_0.pdf")).content == b"%PDF-1.7 demo"
    typed = result(await send_document(client, b"a,b\n1,2\n", "data", kind="text/csv"))["document"]
    assert (typed["file_name"], typed["mime_type"]) == ("data", "text/csv")
    assert result(await client.post(f"{BOT}/getFile", json={"file_id": typed["file_id"]}))["file_path"] == "documents/file_1"
    unknown = result(await send_document(client, b"\x00", "blob.qqq"))["document"]
    assert unknown["mime_type"] == "application/octet-stream"
    by_id = result(await client.post(f"{BOT}/sendDocument", data={"chat_id": "111", "document": document["file_id"],
                                                                  "disable_content_type_detection": "true"}))
    assert by_id["document"] == document


async def test_a_document_by_url_takes_its_name_from_the_url(client):
    document = result(await client.post(f"{BOT}/sendDocument", json={"chat_id": 111, "document": "https://cdn.example.com/a/price-list.pdf"}))["document"]
    assert document["file_name"] == "price-list.pdf" and "file_size" not in document


async def test_caption_entities_when_no_parse_mode(client):
    entities = [{"type": "italic", "offset": 0, "length": 4}]
    message = result(await send_document(client, caption="Sale today", caption_entities=orjson.dumps(entities).decode()))
    assert message["caption_entities"] == [{"offset": 0, "length": 4, "type": "italic"}]
    [size] = result(await send_photo(client))["photo"]
    in_json = result(await client.post(f"{BOT}/sendPhoto", json={"chat_id": 111, "photo": size["file_id"], "caption": "Sale",
                                                                 "caption_entities": entities}))
    assert in_json["caption_entities"] == [{"offset": 0, "length": 4, "type": "italic"}]


async def test_bad_caption_entities_json_is_ignored_as_telegram_does(client):
    message = result(await send_photo(client, caption="hi", caption_entities="{not json"))
    assert "caption_entities" not in message


@pytest.mark.parametrize(
    "method, params, files, code, description",
    [
        ("sendPhoto", {"chat_id": "111"}, None, 400, "Bad Request: there is no photo in the request"),
        ("sendPhoto", {"chat_id": "111", "photo": "attach://nothing"}, None, 400, "Bad Request: there is no photo in the request"),
        ("sendDocument", {"chat_id": "111"}, None, 400, "Bad Request: there is no document in the request"),
        ("sendPhoto", {"chat_id": "111"}, {"photo": ("a.png", b"")}, 400, "Bad Request: file must be non-empty"),
        ("sendDocument", {"chat_id": "111"}, {"document": ("a.txt", b"")}, 400, "Bad Request: file must be non-empty"),
        ("sendPhoto", {"chat_id": "111"}, {"photo": ("a.txt", b"hello")}, 400, "Bad Request: IMAGE_PROCESS_FAILED"),
        ("sendPhoto", {"chat_id": "111"}, {"photo": ("a.png", images.png(2, 50))}, 400, "Bad Request: PHOTO_INVALID_DIMENSIONS"),
        ("sendPhoto", {"chat_id": "111", "photo": "AAAA"}, None, 400,
         "Bad Request: wrong remote file identifier specified: can't unserialize it. Wrong last symbol"),
        ("sendPhoto", {"chat_id": "111", "photo": "A"}, None, 400, "Bad Request: wrong remote file identifier specified: Wrong string length"),
        ("sendDocument", {"chat_id": "111", "document": "BQACAgAAAAAHW80VAAAAAfwCIojz5J0JBA"}, None, 400,
         "Bad Request: wrong file identifier/HTTP URL specified"),
        ("sendPhoto", {"chat_id": "111", "photo": "ftp://cdn.example.com/a.jpg"}, None, 400,
         "Bad Request: invalid file HTTP URL specified: Unsupported URL protocol"),
        ("sendPhoto", {"chat_id": "111", "caption": "x" * 1025}, {"photo": ("a.png", PNG)}, 400, "Bad Request: message caption is too long"),
        ("sendPhoto", {"chat_id": "111", "caption": "x", "caption_entities": '[{"type": "bold"}]'}, {"photo": ("a.png", PNG)}, 400,
         'Bad Request: can\'t parse MessageEntity: Can\'t find field "offset"'),
        ("sendPhoto", {"chat_id": "111", "caption": "<b>x", "parse_mode": "HTML"}, {"photo": ("a.png", PNG)}, 400,
         'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"'),
        ("sendPhoto", {"chat_id": "111", "has_spoiler": "maybe"}, {"photo": ("a.png", PNG)}, 400, 'Bad Request: parameter "has_spoiler" must be a Boolean'),
        ("sendPhoto", {"chat_id": "111", "reply_markup": "[]"}, {"photo": ("a.png", PNG)}, 400, "Bad Request: object expected as reply markup"),
        ("sendPhoto", {}, {"photo": ("a.png", PNG)}, 400, "Bad Request: chat_id is empty"),
        ("sendDocument", {"chat_id": "@channel"}, {"document": ("a.txt", b"x")}, 400, "Bad Request: chat not found"),
    ],
)
async def test_refusals_change_nothing(client, method, params, files, code, description):
    before = await state(client)
    r = await client.post(f"{BOT}/{method}", data=params, files=files or {"unrelated": ("u.txt", b"u")})
    envelope_error(r, code, description)
    assert await state(client) == before


async def test_a_document_id_is_not_a_photo(client):
    document = result(await send_document(client))["document"]
    envelope_error(await client.post(f"{BOT}/sendPhoto", json={"chat_id": 111, "photo": document["file_id"]}), 400,
                   "Bad Request: can't use file of type Document as Photo")
    [size] = result(await send_photo(client))["photo"]
    envelope_error(await client.post(f"{BOT}/sendDocument", json={"chat_id": 111, "document": size["file_id"]}), 400,
                   "Bad Request: can't use file of type Photo as Document")


async def test_size_limits_per_type(client, emulator):
    before = await state(client)
    big_photo = PNG + b"\x00" * (MAX_PHOTO_BYTES + 1 - len(PNG))
    envelope_error(await send_photo(client, big_photo), 400,
                   f"Bad Request: file of size {MAX_PHOTO_BYTES + 1} bytes is too big for a photo; the maximum size is 10485760 bytes")
    envelope_error(await send_document(client, b"x" * (MAX_UPLOAD_BYTES + 1), "big.bin"), 413, "Request Entity Too Large")
    assert await state(client) == before
    assert result(await send_document(client, big_photo, "big.png"))["document"]["file_size"] == MAX_PHOTO_BYTES + 1


async def test_an_upload_above_the_request_limit_is_413_before_the_door(client):
    r = await send_document(client, b"x" * (MAX_UPLOAD_BYTES + (2 << 20)), "huge.bin")
    assert r.status_code == 413 and r.json()["ok"] is False


async def test_a_full_store_refuses_with_413_and_keeps_nothing(client, emulator):
    emulator.world.files.capacity = len(PNG) + 10
    result(await send_photo(client))
    before = await state(client)
    r = await send_photo(client)
    assert r.status_code == 413
    assert r.json()["description"] == (
        f"Request Entity Too Large: the emulator's file store is full ({len(PNG)} of {len(PNG) + 10} bytes held, "
        f"{len(PNG)} more needed); raise limits.file_store_bytes or --file-store-bytes"
    )
    assert await state(client) == before
    [size] = (await state(client))["files"][0:1]
    again = result(await client.post(f"{BOT}/sendPhoto", json={"chat_id": 111, "photo": size["file_id"]}))  # no new bytes: fine
    assert again["photo"][0]["file_id"] == size["file_id"]


@pytest.mark.parametrize(
    "chat_state, code, description",
    [
        ("blocked", 403, "Forbidden: bot was blocked by the user"),
        ("deactivated", 403, "Forbidden: user is deactivated"),
        ("unknown", 400, "Bad Request: chat not found"),
    ],
)
@pytest.mark.parametrize("method", ["sendPhoto", "sendDocument", "sendMediaGroup"])
async def test_dead_chats_answer_every_file_method_as_send_message(client, emulator, method, chat_state, code, description):
    emulator.world.bots.set_state("7", chat_state)
    before = await state(client)
    if method == "sendMediaGroup":
        media = [{"type": "photo", "media": "attach://a"}, {"type": "photo", "media": "attach://b"}]
        r = await client.post(f"{BOT}/{method}", data={"chat_id": "7", "media": orjson.dumps(media).decode()},
                              files={"a": ("a.png", PNG), "b": ("b.png", PNG)})
    else:
        field = "photo" if method == "sendPhoto" else "document"
        r = await client.post(f"{BOT}/{method}", data={"chat_id": "7"}, files={field: ("a.png", PNG)})
    envelope_error(r, code, description)
    assert await state(client) == before


async def test_a_rate_limited_chat_answers_429_to_file_methods(client, emulator):
    emulator.world.bots.set_state("7", "rate_limited")
    emulator.world.telegram.chats["7"].retry_after = 4
    r = await client.post(f"{BOT}/sendPhoto", data={"chat_id": "7"}, files={"photo": ("a.png", PNG)})
    envelope_error(r, 429, "Too Many Requests: retry after 4", {"retry_after": 4})
    assert len(emulator.world.files) == 0


# -- sendMediaGroup ------------------------------------------------------------------------------


async def send_group(client, media, files=None, **params):
    return await client.post(f"{BOT}/sendMediaGroup", data={"chat_id": "111", "media": orjson.dumps(media).decode(), **params},
                             files=files or {"unrelated": ("u.txt", b"u")})


async def test_an_album_of_photos_shares_one_media_group_id(client):
    [old] = result(await send_photo(client))["photo"]
    media = [
        {"type": "photo", "media": "attach://one", "caption": "<i>First</i>", "parse_mode": "HTML", "has_spoiler": True},
        {"type": "photo", "media": old["file_id"]},
        {"type": "photo", "media": "https://cdn.example.com/3.jpg", "caption": "third",
         "caption_entities": [{"type": "bold", "offset": 0, "length": 5}]},
    ]
    messages = result(await send_group(client, media, {"one": ("1.jpg", images.jpeg(800, 600), "image/jpeg")}, protect_content="true"))
    assert [m["message_id"] for m in messages] == [2, 3, 4]
    groups = {m["media_group_id"] for m in messages}
    assert len(groups) == 1 and groups.pop().isdigit()
    assert messages[0]["photo"][0]["width"] == 800 and messages[0]["caption"] == "First" and messages[0]["has_media_spoiler"] is True
    assert messages[0]["caption_entities"] == [{"type": "italic", "offset": 0, "length": 5}]
    assert messages[1]["photo"] == [old] and "caption" not in messages[1]
    assert messages[2]["caption_entities"] == [{"offset": 0, "length": 5, "type": "bold"}]
    assert all(m["has_protected_content"] for m in messages)
    history = (await client.get("/_mock/telegram/chats/111/messages")).json()["messages"]
    assert history[1:] == messages


async def test_an_album_of_documents_in_a_json_body(client):
    [first] = [result(await send_document(client))["document"]]
    media = [{"type": "document", "media": first["file_id"], "caption": "a"}, {"type": "document", "media": "https://x.example/b.zip"}]
    messages = result(await client.post(f"{BOT}/sendMediaGroup", json={"chat_id": 111, "media": media}))
    assert [m["document"]["file_name"] for m in messages] == ["terms.pdf", "b.zip"]
    assert messages[0]["media_group_id"] == messages[1]["media_group_id"]


async def test_one_item_is_sent_without_a_group_as_telegram_server_does(client):
    [message] = result(await send_group(client, [{"type": "photo", "media": "attach://p"}], {"p": ("p.png", PNG)}))
    assert "media_group_id" not in message and message["photo"][0]["width"] == 40


@pytest.mark.parametrize(
    "media, description",
    [
        (None, 'Bad Request: parameter "media" is required'),
        ("{nope", "Bad Request: can't parse media JSON object"),
        ({"type": "photo"}, "Bad Request: expected an Array of InputMedia"),
        ([], "Bad Request: there are no messages to send"),
        (["photo"], "Bad Request: can't parse InputMedia: expected an Object"),
        ([{"media": "attach://p"}], 'Bad Request: can\'t parse InputMedia: Can\'t find field "type"'),
        ([{"type": "photo"}], "Bad Request: can't parse InputMedia: media not found"),
        ([{"type": "photo", "media": "attach://missing"}], "Bad Request: can't parse InputMedia: media not found"),
        ([{"type": "animation", "media": "attach://p"}], 'Bad Request: can\'t parse InputMedia: type "animation" can\'t be used in sendMediaGroup'),
        ([{"type": "sticker", "media": "attach://p"}], 'Bad Request: can\'t parse InputMedia: type "sticker" is unsupported'),
        ([{"type": "video", "media": "attach://p"}],
         'Bad Request: can\'t parse InputMedia: type "video" is not served by this emulator (photo and document are)'),
        ([{"type": "photo", "media": "attach://p", "has_spoiler": "yes"}],
         'Bad Request: can\'t parse InputMedia: Field "has_spoiler" must be of type Boolean'),
        ([{"type": "photo", "media": "attach://p", "caption": ["x"]}], 'Bad Request: can\'t parse InputMedia: Field "caption" must be of type String'),
        ([{"type": "photo", "media": "attach://p"}] * 11, "Bad Request: too many messages to send as an album"),
        ([{"type": "photo", "media": "attach://p"}, {"type": "document", "media": "attach://p"}],
         "Bad Request: document can't be mixed with other media types"),
        ([{"type": "photo", "media": "attach://p", "show_caption_above_media": True}, {"type": "photo", "media": "attach://p"}],
         "Bad Request: parameter show_caption_above_media must be the same for all messages"),
        ([{"type": "photo", "media": "AAAA"}, {"type": "photo", "media": "attach://p"}],
         "Bad Request: wrong remote file identifier specified: can't unserialize it. Wrong last symbol"),
        ([{"type": "photo", "media": "attach://t"}, {"type": "photo", "media": "attach://p"}], "Bad Request: IMAGE_PROCESS_FAILED"),
    ],
)
async def test_bad_media_groups_change_nothing(client, media, description):
    before = await state(client)
    data = {"chat_id": "111"}
    if media is not None:
        data["media"] = media if isinstance(media, str) else orjson.dumps(media).decode()
    r = await client.post(f"{BOT}/sendMediaGroup", data=data, files={"p": ("p.png", PNG), "t": ("t.txt", b"text")})
    envelope_error(r, 400, description)
    assert await state(client) == before


async def test_a_group_that_overflows_the_store_keeps_none_of_its_files(client, emulator):
    emulator.world.files.capacity = len(PNG) * 2 - 1
    media = [{"type": "photo", "media": "attach://a"}, {"type": "photo", "media": "attach://b"}]
    r = await send_group(client, media, {"a": ("a.png", PNG), "b": ("b.png", PNG)})
    assert r.status_code == 413 and "file store is full" in r.json()["description"]
    assert len(emulator.world.files) == 0


# -- getFile --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, description",
    [
        ({}, "Bad Request: file_id not specified"),
        ({"file_id": ""}, "Bad Request: file_id not specified"),
        ({"file_id": "garbage!"}, "Bad Request: invalid file_id"),
        ({"file_id": "AgACAgAAAAAHW80VAAAAAJLsGduAo52uBA"}, "Bad Request: wrong file_id or the file is temporarily unavailable"),
    ],
)
async def test_get_file_refusals(client, params, description):
    envelope_error(await client.post(f"{BOT}/getFile", json=params), 400, description)


async def test_get_file_refuses_files_above_the_download_limit(client):
    document = result(await send_document(client, b"x" * (20 * 1024 * 1024 + 1), "big.bin"))["document"]
    envelope_error(await client.post(f"{BOT}/getFile", json={"file_id": document["file_id"]}), 400, "Bad Request: file is too big")
    envelope_error(await client.get(f"/file/bot{TOKEN}/documents/file_0.bin"), 404, "Not Found")


# -- the control plane -------------------------------------------------------------------------


async def test_the_control_plane_lists_files_and_hands_out_their_bytes(client):
    [size] = result(await send_photo(client))["photo"]
    url_doc = result(await client.post(f"{BOT}/sendDocument", json={"chat_id": 111, "document": "https://x.example/a.pdf"}))["document"]
    listing = (await client.get("/_mock/telegram/files")).json()
    assert (listing["files"], listing["bytes_held"], listing["capacity"]) == (2, len(PNG), 256 * 1024 * 1024)
    assert [(f["file_id"], f["kind"], f["size"], f["file_path"], f["url"]) for f in listing["items"]] == [
        (size["file_id"], "photo", len(PNG), "photos/file_0.jpg", None),
        (url_doc["file_id"], "document", 0, None, "https://x.example/a.pdf"),
    ]
    r = await client.get(f"/_mock/telegram/files/{size['file_id']}")
    assert (r.status_code, r.content) == (200, PNG)
    r = await client.get("/_mock/telegram/files/nope")
    assert r.status_code == 404 and r.json()["error"] == "no_such_file"
    r = await client.get(f"/_mock/telegram/files/{url_doc['file_id']}")
    assert r.status_code == 409 and r.json()["error"] == "no_bytes"


# -- a simulated user sends the bot a file ----------------------------------------------------------


async def test_a_user_sends_the_bot_a_photo_it_can_download(client):
    import base64

    from tests.botapi.conftest import new_user

    await new_user(client)
    body = {"photo": {"data": base64.b64encode(PNG).decode(), "file_name": "me.png"}, "caption": "my cat"}
    r = await client.post("/_mock/telegram/users/555/send", json=body)
    assert r.status_code == 200, r.text
    [update] = r.json()["updates"]
    message = update["message"]
    assert (message["caption"], message["from"]["id"], message["photo"][0]["width"]) == ("my cat", 555, 40)
    assert "text" not in message
    [polled] = result(await client.post(f"{BOT}/getUpdates", json={}))
    assert polled == update
    file = result(await client.post(f"{BOT}/getFile", json={"file_id": message["photo"][0]["file_id"]}))
    assert (await client.get(f"/file/bot{TOKEN}/{file['file_path']}")).content == PNG
    document = {"document": {"data": base64.b64encode(b"hello").decode(), "file_name": "note.txt"}}
    [update] = (await client.post("/_mock/telegram/users/555/send", json=document)).json()["updates"]
    assert (update["message"]["document"]["file_name"], update["message"]["document"]["mime_type"]) == ("note.txt", "text/plain")


@pytest.mark.parametrize(
    "body, status, detail",
    [
        ({"photo": {"data": "aGVsbG8="}}, 400, "Telegram would not take this photo: Bad Request: IMAGE_PROCESS_FAILED"),
        ({"photo": {"data": "***"}}, 400, "'photo.data' is not valid base64"),
        ({"photo": "cat.png"}, 400, "'photo' must be an object with 'data'"),
        ({"document": {"data": ""}}, 400, "file must be non-empty"),
        ({"document": {"data": "aGk=", "file_name": ""}}, 400, "'document.file_name' must be a non-empty string"),
        ({"document": {"data": "aGk="}, "text": "hi"}, 400, "send one of 'text', 'photo' or 'document'"),
        ({"document": {"data": "aGk="}, "caption": 5}, 400, "'caption' must be a string of at most 1024 characters"),
    ],
)
async def test_a_user_file_that_telegram_would_refuse_changes_nothing(client, body, status, detail):
    from tests.botapi.conftest import new_user

    await new_user(client)
    before = await state(client)
    r = await client.post("/_mock/telegram/users/555/send", json=body)
    assert r.status_code == status and detail in r.text, r.text
    assert await state(client) == before


async def test_a_user_who_blocked_the_bot_cannot_send_it_a_file(client):
    from tests.botapi.conftest import new_user

    await new_user(client)
    await client.post("/_mock/telegram/users/555/block")
    r = await client.post("/_mock/telegram/users/555/send", json={"document": {"data": "aGk="}})
    assert r.status_code == 409 and "has blocked the bot" in r.text
