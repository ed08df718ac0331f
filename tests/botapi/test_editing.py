"""editMessageText/Caption/ReplyMarkup, deleteMessage(s), forwardMessage, copyMessage and sendChatAction
over HTTP: each one's answer, what the user's view shows after it, and every refusal in Telegram's words."""

from __future__ import annotations

import pytest

from mockserver.domain.telegram.editing import NOT_MODIFIED
from tests.botapi import images
from tests.botapi.conftest import BOT, new_user
from tests.botapi.test_door import envelope_error

pytestmark = pytest.mark.anyio
PNG = images.png(8, 8)
KEYBOARD = {"inline_keyboard": [[{"text": "Like", "callback_data": "like"}]]}
OTHER_BOT = "222333444:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2"


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()["result"]


async def send(client, text: str = "Hello", chat_id: int = 111, **params) -> dict:
    return ok(await client.post(f"{BOT}/sendMessage", json={"chat_id": chat_id, "text": text, **params}))


async def send_photo(client, chat_id: int = 111, **params) -> dict:
    r = await client.post(f"{BOT}/sendPhoto", data={"chat_id": str(chat_id), **params}, files={"photo": ("a.png", PNG, "image/png")})
    return ok(r)


async def view(client, chat_id: int = 111, **query) -> dict:
    r = await client.get(f"/_mock/telegram/chats/{chat_id}/messages", params=query)
    assert r.status_code == 200, r.text
    return r.json()


async def call(client, method: str, **params):
    return await client.post(f"{BOT}/{method}", json=params)


async def user_says(client, text: str = "hi", user_id: int = 555) -> dict:
    await new_user(client, user_id)
    await client.post(f"/_mock/telegram/users/{user_id}/start")
    r = await client.post(f"/_mock/telegram/users/{user_id}/send", json={"text": text})
    assert r.status_code == 200, r.text
    return r.json()["updates"][0]["message"]


async def advance(client, seconds: float) -> None:
    assert (await client.post("/_mock/clock", json={"advance": seconds})).status_code == 200


# -- editMessageText ---------------------------------------------------------------------------------


async def test_edit_text_replaces_the_text_and_keeps_the_old_version_in_the_users_view(client):
    await client.post("/_mock/clock", json={"freeze": True})
    sent = await send(client, "Price: 10", reply_markup=KEYBOARD)
    await advance(client, 7)
    edited = ok(await call(client, "editMessageText", chat_id=111, message_id=sent["message_id"],
                           text="Price: <b>8</b>", parse_mode="HTML"))
    assert edited["message_id"] == sent["message_id"] and edited["date"] == sent["date"]
    assert (edited["text"], edited["entities"]) == ("Price: 8", [{"type": "bold", "offset": 7, "length": 1}])
    assert edited["edit_date"] == sent["date"] + 7
    assert "reply_markup" not in edited  # an edit without reply_markup removes the keyboard, as Telegram's does
    assert "edits" not in edited
    [shown] = (await view(client))["messages"]
    assert shown["text"] == "Price: 8" and shown["edit_date"] == edited["edit_date"]
    assert shown["edits"] == [{"text": "Price: 10", "reply_markup": KEYBOARD, "edit_date": edited["edit_date"]}]


async def test_edit_text_with_a_keyboard_sets_it_and_a_second_edit_adds_to_the_history(client):
    sent = await send(client, "one")
    ok(await call(client, "editMessageText", chat_id=111, message_id=sent["message_id"], text="two", reply_markup=KEYBOARD))
    again = ok(await call(client, "editMessageText", chat_id="111", message_id=str(sent["message_id"]), text="three",
                          reply_markup=KEYBOARD))
    assert again["reply_markup"] == KEYBOARD
    [shown] = (await view(client))["messages"]
    assert [e.get("text") for e in shown["edits"]] == ["one", "two"]
    assert shown["edits"][1]["reply_markup"] == KEYBOARD and "reply_markup" not in shown["edits"][0]


async def test_edit_text_to_the_same_content_is_not_modified(client):
    sent = await send(client, "Same", reply_markup=KEYBOARD)
    r = await call(client, "editMessageText", chat_id=111, message_id=sent["message_id"], text="Same", reply_markup=KEYBOARD)
    envelope_error(r, 400, NOT_MODIFIED)
    assert "edits" not in (await view(client))["messages"][0]


@pytest.mark.parametrize(
    "params, description",
    [
        ({"chat_id": 111, "message_id": 1, "text": " "}, "Bad Request: message text is empty"),
        ({"chat_id": 111, "message_id": 1}, "Bad Request: message text is empty"),
        ({"chat_id": 111, "message_id": 1, "text": "x" * 4097}, "Bad Request: message is too long"),
        ({"chat_id": 111, "message_id": 1, "text": "x", "reply_markup": {"keyboard": [[{"text": "A"}]]}},
         "Bad Request: inline keyboard expected"),
        ({"chat_id": 111, "message_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A"}]]}},
         "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"),
        ({"text": "x"}, "Bad Request: message identifier is not specified"),
        ({"text": "x", "inline_message_id": "AgAAAN"}, "Bad Request: invalid inline message identifier specified"),
        ({"message_id": 1, "text": "x"}, "Bad Request: chat_id is empty"),
        ({"chat_id": "@nobody", "message_id": 1, "text": "x"}, "Bad Request: chat not found"),
        ({"chat_id": 111, "message_id": 99, "text": "x"}, "Bad Request: message to edit not found"),
        ({"chat_id": 111, "message_id": "abc", "text": "x"}, "Bad Request: message to edit not found"),
        ({"chat_id": 111, "message_id": -1, "text": "x"}, "Bad Request: message to edit not found"),
        ({"chat_id": 111, "text": "x"}, "Bad Request: message to edit not found"),
    ],
)
async def test_edit_text_refusals(client, params, description):
    await send(client, "Hello")
    envelope_error(await call(client, "editMessageText", **params), 400, description)
    assert (await view(client))["messages"][0]["text"] == "Hello"


async def test_what_cannot_be_edited_as_text(client):
    said = await user_says(client)
    envelope_error(await call(client, "editMessageText", chat_id=555, message_id=said["message_id"], text="x"),
                   400, "Bad Request: message can't be edited")
    photo = await send_photo(client)
    envelope_error(await call(client, "editMessageText", chat_id=111, message_id=photo["message_id"], text="x"),
                   400, "Bad Request: there is no text in the message to edit")


async def test_a_message_sent_with_a_reply_keyboard_cannot_be_edited(client, emulator):
    sent = await send(client)
    chat = emulator.world.telegram.chats["111"]
    chat.messages[0] = {**chat.messages[0], "reply_markup": {"keyboard": [[{"text": "Share", "request_contact": True}]]}}
    for method, extra in (("editMessageText", {"text": "x"}), ("editMessageReplyMarkup", {"reply_markup": KEYBOARD})):
        r = await call(client, method, chat_id=111, message_id=sent["message_id"], **extra)
        envelope_error(r, 400, "Bad Request: message can't be edited")


async def test_a_deleted_message_and_another_bots_message_are_not_found(client, emulator):
    sent = await send(client)
    ok(await call(client, "deleteMessage", chat_id=111, message_id=sent["message_id"]))
    envelope_error(await call(client, "editMessageText", chat_id=111, message_id=sent["message_id"], text="x"),
                   400, "Bad Request: message to edit not found")
    other = emulator.world.telegram.chats["111"]
    other.messages.append({"message_id": 2, "from": {"id": 999, "is_bot": True, "first_name": "Other"},
                           "chat": {"id": 111, "type": "private"}, "date": 0, "text": "theirs"})
    for method, extra in (("editMessageText", {"text": "x"}), ("deleteMessage", {})):
        r = await call(client, method, chat_id=111, message_id=2, **extra)
        assert r.json()["description"].endswith("not found"), r.text


async def test_edits_in_dead_chats(client):
    sent = await send(client)
    await client.post("/_mock/telegram/chats/111/block")
    ok(await call(client, "editMessageText", chat_id=111, message_id=sent["message_id"], text="still mine"))
    await client.post("/_mock/telegram/chats/111/deactivate")
    envelope_error(await call(client, "editMessageText", chat_id=111, message_id=sent["message_id"], text="x"),
                   403, "Forbidden: user is deactivated")
    await new_user(client, 777)  # a user who never pressed Start: the bot has no chat with them
    envelope_error(await call(client, "editMessageText", chat_id=777, message_id=1, text="x"), 400, "Bad Request: chat not found")


# -- editMessageCaption --------------------------------------------------------------------------------


async def test_edit_caption_replaces_and_removes_the_caption(client):
    photo = await send_photo(client, caption="Old")
    edited = ok(await call(client, "editMessageCaption", chat_id=111, message_id=photo["message_id"],
                           caption="<i>New</i>", parse_mode="HTML", show_caption_above_media=True, reply_markup=KEYBOARD))
    assert (edited["caption"], edited["caption_entities"]) == ("New", [{"type": "italic", "offset": 0, "length": 3}])
    assert edited["show_caption_above_media"] is True and edited["reply_markup"] == KEYBOARD
    assert edited["photo"] == photo["photo"]
    removed = ok(await call(client, "editMessageCaption", chat_id=111, message_id=photo["message_id"]))
    assert not {"caption", "caption_entities", "show_caption_above_media", "reply_markup"} & set(removed)
    [shown] = (await view(client))["messages"]
    assert [e.get("caption") for e in shown["edits"]] == ["Old", "New"]
    envelope_error(await call(client, "editMessageCaption", chat_id=111, message_id=photo["message_id"]), 400, NOT_MODIFIED)


@pytest.mark.parametrize(
    "params, description",
    [
        ({"caption": "x" * 1025}, "Bad Request: message caption is too long"),
        ({"caption": "x", "reply_markup": {"remove_keyboard": True}}, "Bad Request: inline keyboard expected"),
        ({"caption": "<b>x", "parse_mode": "HTML"},
         "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""),
    ],
)
async def test_edit_caption_refusals(client, params, description):
    photo = await send_photo(client, caption="Old")
    envelope_error(await call(client, "editMessageCaption", chat_id=111, message_id=photo["message_id"], **params), 400, description)


async def test_a_text_message_has_no_caption_to_edit(client):
    sent = await send(client)
    envelope_error(await call(client, "editMessageCaption", chat_id=111, message_id=sent["message_id"], caption="x"),
                   400, "Bad Request: there is no caption in the message to edit")


# -- editMessageReplyMarkup ----------------------------------------------------------------------------


async def test_edit_reply_markup_sets_and_removes_the_keyboard_and_the_user_presses_the_new_one(client):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/start")
    sent = await send(client, "Pick", chat_id=555)
    new = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
    edited = ok(await call(client, "editMessageReplyMarkup", chat_id=555, message_id=sent["message_id"], reply_markup=new))
    assert edited["reply_markup"] == new and edited["text"] == "Pick"
    r = await client.post("/_mock/telegram/users/555/press", json={"message_id": sent["message_id"], "callback_data": "yes"})
    assert r.status_code == 200, r.text
    pressed = r.json()["updates"][0]["callback_query"]["message"]
    assert pressed["reply_markup"] == new and "edits" not in pressed and "edit_date" in pressed
    removed = ok(await call(client, "editMessageReplyMarkup", chat_id=555, message_id=sent["message_id"]))
    assert "reply_markup" not in removed
    envelope_error(await call(client, "editMessageReplyMarkup", chat_id=555, message_id=sent["message_id"]), 400, NOT_MODIFIED)
    r = await client.post("/_mock/telegram/users/555/press", json={"message_id": sent["message_id"], "callback_data": "yes"})
    assert r.status_code == 404


async def test_edit_reply_markup_refusals(client):
    sent = await send(client)
    for markup, description in (
        ({"force_reply": True}, "Bad Request: inline keyboard expected"),
        ([1], "Bad Request: can't parse reply keyboard markup JSON object"),
    ):
        r = await call(client, "editMessageReplyMarkup", chat_id=111, message_id=sent["message_id"], reply_markup=markup)
        envelope_error(r, 400, description)
    envelope_error(await call(client, "editMessageReplyMarkup", chat_id=111, message_id=5), 400, "Bad Request: message to edit not found")
    envelope_error(await call(client, "editMessageReplyMarkup"), 400, "Bad Request: message identifier is not specified")


# -- deleteMessage / deleteMessages -----------------------------------------------------------------------


async def test_delete_message_hides_it_from_the_user_unless_asked_for(client):
    await client.post("/_mock/clock", json={"freeze": True})
    first, second = await send(client, "one"), await send(client, "two")
    r = await call(client, "deleteMessage", chat_id=111, message_id=first["message_id"])
    assert r.json() == {"ok": True, "result": True}
    assert [m["text"] for m in (await view(client))["messages"]] == ["two"]
    everything = (await view(client, deleted="true"))["messages"]
    assert [(m["text"], "deleted_date" in m) for m in everything] == [("one", True), ("two", False)]
    assert (await send(client, "three"))["message_id"] == 3  # ids go on counting past a deleted message
    envelope_error(await call(client, "deleteMessage", chat_id=111, message_id=first["message_id"]),
                   400, "Bad Request: message to delete not found")
    assert second["message_id"] == 2


async def test_the_bot_deletes_the_users_message_and_in_a_blocked_chat(client):
    said = await user_says(client)
    await client.post("/_mock/telegram/chats/555/block")
    ok(await call(client, "deleteMessage", chat_id=555, message_id=said["message_id"]))
    assert [m["text"] for m in (await view(client, 555))["messages"]] == ["/start"]


@pytest.mark.parametrize(
    "params, code, description",
    [
        ({"message_id": 1}, 400, "Bad Request: chat identifier is not specified"),
        ({"chat_id": 111}, 400, "Bad Request: message identifier is not specified"),
        ({"chat_id": 111, "message_id": 0}, 400, "Bad Request: message identifier is not specified"),
        ({"chat_id": 111, "message_id": 42}, 400, "Bad Request: message to delete not found"),
        ({"chat_id": "x1", "message_id": 1}, 400, "Bad Request: chat not found"),
    ],
)
async def test_delete_message_refusals(client, params, code, description):
    await send(client)
    envelope_error(await call(client, "deleteMessage", **params), code, description)
    assert len((await view(client))["messages"]) == 1


async def test_a_message_older_than_48_hours_cannot_be_deleted(client):
    await client.post("/_mock/clock", json={"freeze": True})
    old = await send(client, "old")
    await advance(client, 48 * 3600)
    new = await send(client, "new")
    envelope_error(await call(client, "deleteMessage", chat_id=111, message_id=old["message_id"]),
                   400, "Bad Request: message can't be deleted")
    r = await call(client, "deleteMessages", chat_id=111, message_ids=[new["message_id"], old["message_id"]])
    envelope_error(r, 400, "Bad Request: message can't be deleted")
    assert len((await view(client))["messages"]) == 2  # refused whole: nothing deleted


async def test_deletes_in_a_deactivated_chat_are_refused(client):
    sent = await send(client)
    await client.post("/_mock/telegram/chats/111/deactivate")
    envelope_error(await call(client, "deleteMessage", chat_id=111, message_id=sent["message_id"]),
                   403, "Forbidden: user is deactivated")


async def test_delete_messages_skips_what_is_gone_and_answers_true(client):
    for text in ("a", "b", "c"):
        await send(client, text)
    assert ok(await call(client, "deleteMessages", chat_id=111, message_ids=[1, 3, 77, 3])) is True
    assert [m["text"] for m in (await view(client))["messages"]] == ["b"]
    assert ok(await call(client, "deleteMessages", chat_id=111, message_ids=["1", 3])) is True  # all gone: still true
    r = await client.post(f"{BOT}/deleteMessages", data={"chat_id": "111", "message_ids": "[2]"})
    assert ok(r) is True and (await view(client))["messages"] == []


@pytest.mark.parametrize(
    "ids, description",
    [
        (None, "Bad Request: message identifiers are not specified"),
        ([], "Bad Request: message identifiers are not specified"),
        ("[1,", "Bad Request: can't parse message_ids JSON object"),
        ({"a": 1}, "Bad Request: expected an Array of message identifiers"),
        (list(range(1, 102)), "Bad Request: too many message identifiers specified"),
        ([1, None], "Bad Request: message identifier must be a Number"),
        ([1, [2]], "Bad Request: message identifier must be a Number"),
        ([1.5], "Bad Request: can't parse message identifier as a Number"),
        (["x"], "Bad Request: can't parse message identifier as a Number"),
        ([2**31], "Bad Request: can't parse message identifier as a Number"),
        ([0], "Bad Request: invalid message identifier specified"),
        ([-4], "Bad Request: invalid message identifier specified"),
    ],
)
async def test_delete_messages_refusals(client, ids, description):
    await send(client)
    params = {"chat_id": 111} if ids is None else {"chat_id": 111, "message_ids": ids}
    envelope_error(await call(client, "deleteMessages", **params), 400, description)
    assert len((await view(client))["messages"]) == 1


async def test_delete_messages_needs_a_known_chat(client):
    envelope_error(await call(client, "deleteMessages", message_ids=[1]), 400, "Bad Request: chat_id is empty")
    await new_user(client, 777)
    envelope_error(await call(client, "deleteMessages", chat_id=777, message_ids=[1]), 400, "Bad Request: chat not found")


# -- forwardMessage -----------------------------------------------------------------------------------------


async def test_forwarding_the_users_message_names_the_user_as_its_origin(client):
    said = await user_says(client, "my order #7")
    forwarded = ok(await call(client, "forwardMessage", chat_id=111, from_chat_id=555, message_id=said["message_id"]))
    assert forwarded["message_id"] == 1 and forwarded["chat"]["id"] == 111 and forwarded["from"]["is_bot"] is True
    assert forwarded["text"] == "my order #7"
    assert forwarded["forward_origin"] == {"type": "user", "sender_user": said["from"], "date": said["date"]}
    assert (forwarded["forward_from"], forwarded["forward_date"]) == (said["from"], said["date"])
    [shown] = (await view(client))["messages"]
    assert shown == forwarded


async def test_forwarding_the_bots_own_message_names_the_bot_and_a_forward_of_a_forward_the_first_sender(client):
    photo = await send_photo(client, caption="Cat", protect_content="false")
    await new_user(client, 555)
    await client.post("/_mock/telegram/users/555/start")
    first = ok(await call(client, "forwardMessage", chat_id=555, from_chat_id=111, message_id=photo["message_id"],
                          protect_content=True))
    assert first["forward_origin"]["sender_user"] == photo["from"] and first["photo"] == photo["photo"]
    assert first["caption"] == "Cat" and first["has_protected_content"] is True
    envelope_error(await call(client, "forwardMessage", chat_id=111, from_chat_id=555, message_id=first["message_id"]),
                   400, "Bad Request: message has protected content and can't be forwarded")
    second = ok(await call(client, "forwardMessage", chat_id=555, from_chat_id=111, message_id=photo["message_id"]))
    again = ok(await call(client, "forwardMessage", chat_id=111, from_chat_id=555, message_id=second["message_id"]))
    assert again["forward_origin"] == second["forward_origin"] == first["forward_origin"]


@pytest.mark.parametrize(
    "params, code, description",
    [
        ({"chat_id": 111, "message_id": 1}, 400, 'Bad Request: parameter "from_chat_id" is required'),
        ({"chat_id": 111, "from_chat_id": "@shop", "message_id": 1}, 400, "Bad Request: chat not found"),
        ({"chat_id": 111, "from_chat_id": 111, "message_id": 9}, 400, "Bad Request: message to forward not found"),
        ({"chat_id": 111, "from_chat_id": 111}, 400, "Bad Request: message to forward not found"),
        ({"from_chat_id": 111, "message_id": 1}, 400, "Bad Request: chat_id is empty"),
        ({"chat_id": 222, "from_chat_id": 111, "message_id": 1}, 403, "Forbidden: bot was blocked by the user"),
        ({"chat_id": "abc", "from_chat_id": 111, "message_id": 1}, 400, "Bad Request: chat not found"),
    ],
)
async def test_forward_refusals(client, params, code, description):
    await send(client)
    envelope_error(await call(client, "forwardMessage", **params), code, description)
    assert len((await view(client))["messages"]) == 1


async def test_forwarding_from_a_deactivated_chat_reads_it_and_to_one_is_refused(client):
    said = await user_says(client)
    await client.post("/_mock/telegram/chats/555/deactivate")
    ok(await call(client, "forwardMessage", chat_id=111, from_chat_id=555, message_id=said["message_id"]))
    envelope_error(await call(client, "forwardMessage", chat_id=555, from_chat_id=111, message_id=1),
                   403, "Forbidden: user is deactivated")


async def test_a_rate_limited_chat_answers_429_to_forward_and_copy(client, emulator):
    await send(client)
    emulator.world.bots.set_state("7", "rate_limited")
    for method in ("forwardMessage", "copyMessage"):
        envelope_error(await call(client, method, chat_id=7, from_chat_id=111, message_id=1),
                       429, "Too Many Requests: retry after 1", {"retry_after": 1})


# -- copyMessage ---------------------------------------------------------------------------------------------


async def test_copy_answers_a_message_id_and_the_copy_has_no_link_to_the_original(client):
    sent = await send(client, "<b>Sale</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    said = await user_says(client)
    copied = ok(await call(client, "copyMessage", chat_id=555, from_chat_id=111, message_id=sent["message_id"]))
    assert copied == {"message_id": said["message_id"] + 1}
    copy = (await view(client, 555))["messages"][-1]
    assert (copy["text"], copy["entities"]) == (sent["text"], sent["entities"])
    assert not {"forward_origin", "forward_from", "forward_date", "reply_markup"} & set(copy)
    assert copy["from"]["is_bot"] is True and copy["chat"]["id"] == 555


async def test_copy_replaces_a_media_caption_and_takes_a_keyboard(client):
    photo = await send_photo(client, caption="Old")
    copied = ok(await call(client, "copyMessage", chat_id=111, from_chat_id=111, message_id=photo["message_id"],
                           caption="<b>New</b>", parse_mode="HTML", reply_markup=KEYBOARD, protect_content=True))
    copy = (await view(client))["messages"][copied["message_id"] - 1]
    assert (copy["caption"], copy["caption_entities"]) == ("New", [{"type": "bold", "offset": 0, "length": 3}])
    assert copy["reply_markup"] == KEYBOARD and copy["photo"] == photo["photo"] and copy["has_protected_content"] is True
    bare = ok(await call(client, "copyMessage", chat_id=111, from_chat_id=111, message_id=photo["message_id"], caption=""))
    assert "caption" not in (await view(client))["messages"][bare["message_id"] - 1]
    # a protected message may still be copied by its bot
    ok(await call(client, "copyMessage", chat_id=111, from_chat_id=111, message_id=copied["message_id"]))


@pytest.mark.parametrize(
    "params, code, description",
    [
        ({"chat_id": 111, "message_id": 1}, 400, 'Bad Request: parameter "from_chat_id" is required'),
        ({"chat_id": 111, "from_chat_id": 111, "message_id": 3}, 400, "Bad Request: message to copy not found"),
        ({"chat_id": 111, "from_chat_id": 111, "message_id": 1, "caption": "x" * 1025}, 400,
         "Bad Request: message caption is too long"),
        ({"from_chat_id": 111, "message_id": 1}, 400, "Bad Request: chat_id is empty"),
        ({"chat_id": 222, "from_chat_id": 111, "message_id": 1}, 403, "Forbidden: bot was blocked by the user"),
        ({"chat_id": 111, "from_chat_id": 111, "message_id": 1, "reply_markup": {"inline_keyboard": 1}}, 400,
         "Bad Request: field \"inline_keyboard\" must be of type Array"),  # sendMessage's text: one parser
    ],
)
async def test_copy_refusals(client, params, code, description):
    await send(client)
    envelope_error(await call(client, "copyMessage", **params), code, description)
    assert len((await view(client))["messages"]) == 1


# -- sendChatAction ----------------------------------------------------------------------------------------------


async def test_a_chat_action_shows_for_five_seconds_by_the_world_clock(client):
    await client.post("/_mock/clock", json={"freeze": True})
    assert ok(await call(client, "sendChatAction", chat_id=111, action="typing")) is True
    [action] = (await view(client))["chat_actions"]
    assert action["action"] == "typing" and action["bot_id"] == 123456789 and action["until"] == action["date"] + 5
    user = (await client.get("/_mock/telegram/users/111")).json()["user"]
    assert user["chat_actions"] == [action]  # the user handle sees the same
    await advance(client, 4.9)
    assert len((await view(client))["chat_actions"]) == 1
    await advance(client, 0.1)
    assert (await view(client))["chat_actions"] == []


async def test_a_chat_action_ends_with_the_bots_next_message_or_cancel(client):
    await client.post("/_mock/clock", json={"freeze": True})
    said = await user_says(client)
    ok(await call(client, "sendChatAction", chat_id=555, action="UPLOAD_PHOTO"))
    await client.post("/_mock/telegram/users/555/send", json={"text": "still there?"})
    user = (await client.get("/_mock/telegram/users/555")).json()["user"]
    assert [a["action"] for a in user["chat_actions"]] == ["upload_photo"]  # the user's own message ends nothing
    await send(client, "here", chat_id=555)
    assert (await view(client, 555))["chat_actions"] == []
    ok(await call(client, "sendChatAction", chat_id=555, action="record_audio"))
    assert [a["action"] for a in (await view(client, 555))["chat_actions"]] == ["record_voice"]
    ok(await call(client, "sendChatAction", chat_id=555, action="cancel"))
    assert (await view(client, 555))["chat_actions"] == []
    assert said["chat"]["id"] == 555


@pytest.mark.parametrize(
    "params, code, description",
    [
        ({"chat_id": 111}, 400, "Bad Request: wrong parameter action in request"),
        ({"chat_id": 111, "action": "dancing"}, 400, "Bad Request: wrong parameter action in request"),
        ({"action": "typing"}, 400, "Bad Request: chat_id is empty"),
        ({"chat_id": 222, "action": "typing"}, 403, "Forbidden: bot was blocked by the user"),
    ],
)
async def test_chat_action_refusals(client, params, code, description):
    envelope_error(await call(client, "sendChatAction", **params), code, description)
    assert (await view(client))["chat_actions"] == []


async def test_chat_actions_in_deactivated_and_unknown_chats(client):
    await client.post("/_mock/telegram/chats/111/deactivate")
    envelope_error(await call(client, "sendChatAction", chat_id=111, action="typing"), 403, "Forbidden: user is deactivated")
    await new_user(client, 777)
    envelope_error(await call(client, "sendChatAction", chat_id=777, action="typing"), 400, "Bad Request: chat not found")


async def test_the_chat_view_refuses_a_bad_deleted_flag(client):
    r = await client.get("/_mock/telegram/chats/111/messages", params={"deleted": "yes"})
    assert r.status_code == 400 and "deleted" in r.json()["error"]


async def test_another_bot_cannot_touch_this_bots_messages(scenario):
    import httpx

    from mockserver import Emulator, create_app

    scenario = {**scenario, "bots": [*scenario["bots"], {"app_uuid": "0b6d9a4e-1f0c-4d7e-9a55-2f8e1c3b7a10",
                                                        "token": OTHER_BOT, "username": "other_bot"}]}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(Emulator(scenario))), base_url="http://mock") as client:
        sent = await send(client)
        other = f"/bot{OTHER_BOT}"
        for method, params, description in (
            ("editMessageText", {"text": "x"}, "Bad Request: message to edit not found"),
            ("deleteMessage", {}, "Bad Request: message to delete not found"),
            ("forwardMessage", {"from_chat_id": 111}, "Bad Request: message to forward not found"),
            ("copyMessage", {"from_chat_id": 111}, "Bad Request: message to copy not found"),
        ):
            r = await client.post(f"{other}/{method}", json={"chat_id": 111, "message_id": sent["message_id"], **params})
            envelope_error(r, 400, description)
