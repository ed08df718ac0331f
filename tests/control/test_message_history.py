"""The user's view of edits, deletions, forwards, copies and chat actions, and their way through
GET → PUT /_mock/state: the restored world shows and goes on exactly as the original."""

from __future__ import annotations

import pytest

from tests.botapi.conftest import BOT, new_user

pytestmark = pytest.mark.anyio
KEYBOARD = {"inline_keyboard": [[{"text": "Like", "callback_data": "like"}]]}


async def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


async def bot(client, method: str, **params):
    return (await ok(await client.post(f"{BOT}/{method}", json=params)))["result"]


async def session(client) -> None:
    """A user writes, the bot answers, edits, forwards, copies, deletes and starts typing."""
    await ok(await client.post("/_mock/clock", json={"freeze": True}))
    await new_user(client, 555)
    await ok(await client.post("/_mock/telegram/users/555/start"))
    said = (await ok(await client.post("/_mock/telegram/users/555/send", json={"text": "order #7?"})))["updates"][0]["message"]
    answer = await bot(client, "sendMessage", chat_id=555, text="Shipped", reply_markup=KEYBOARD)
    await ok(await client.post("/_mock/clock", json={"advance": 3}))
    await bot(client, "editMessageText", chat_id=555, message_id=answer["message_id"], text="Delivered")
    await bot(client, "forwardMessage", chat_id=111, from_chat_id=555, message_id=said["message_id"])
    await bot(client, "copyMessage", chat_id=555, from_chat_id=555, message_id=answer["message_id"])
    await bot(client, "deleteMessage", chat_id=555, message_id=said["message_id"])
    await bot(client, "sendChatAction", chat_id=555, action="typing")


async def test_the_users_view_after_a_session(client):
    await session(client)
    chat = await ok(await client.get("/_mock/telegram/chats/555/messages"))
    assert [m["text"] for m in chat["messages"]] == ["/start", "Delivered", "Delivered"]
    edited = chat["messages"][1]
    assert edited["edits"] == [{"text": "Shipped", "reply_markup": KEYBOARD, "edit_date": edited["edit_date"]}]
    assert edited["edit_date"] == edited["date"] + 3 and "edits" not in chat["messages"][2]
    assert [a["action"] for a in chat["chat_actions"]] == ["typing"]
    every = await ok(await client.get("/_mock/telegram/chats/555/messages", params={"deleted": "true"}))
    assert [m.get("deleted_date") is not None for m in every["messages"]] == [False, True, False, False]
    forwarded = (await ok(await client.get("/_mock/telegram/chats/111/messages")))["messages"][-1]
    assert forwarded["text"] == "order #7?" and forwarded["forward_origin"]["type"] == "user"
    user = (await ok(await client.get("/_mock/telegram/users/555")))["user"]
    assert (user["messages"], user["chat_actions"]) == (chat["messages"], chat["chat_actions"])


async def test_edits_deletions_and_chat_actions_survive_the_state_round_trip(client):
    await session(client)
    saved = await ok(await client.get("/_mock/state"))
    assert saved["telegram"]["chats"]["555"]["actions"][0]["action"] == "typing"
    await ok(await client.post("/_mock/reset"))
    assert (await ok(await client.get("/_mock/telegram/chats/555/messages")))["messages"] == []
    await ok(await client.put("/_mock/state", json=saved))
    assert await ok(await client.get("/_mock/state")) == saved
    chat = await ok(await client.get("/_mock/telegram/chats/555/messages"))
    assert [a["action"] for a in chat["chat_actions"]] == ["typing"]
    assert chat["messages"][1]["edits"][0]["text"] == "Shipped"
    # the restored world goes on: the deleted message stays deleted, ids go on counting, the action ends
    r = await client.post(f"{BOT}/deleteMessage", json={"chat_id": 555, "message_id": 2})
    assert r.json()["description"] == "Bad Request: message to delete not found"
    sent = await bot(client, "sendMessage", chat_id=555, text="Anything else?")
    assert sent["message_id"] == 5
    assert (await ok(await client.get("/_mock/telegram/chats/555/messages")))["chat_actions"] == []


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda chat: chat["messages"][1].update(edits="old"), "telegram.chats.555.messages[1].edits"),
        (lambda chat: chat["messages"][1].update(edits=[1]), "telegram.chats.555.messages[1].edits"),
        (lambda chat: chat["messages"][1].update(deleted_date="now"), "telegram.chats.555.messages[1].deleted_date"),
        (lambda chat: chat.update(actions={}), "telegram.chats.555.actions"),
        (lambda chat: chat["actions"][0].update(action="dancing"), "telegram.chats.555.actions[0]"),
        (lambda chat: chat["actions"][0].update(after_message=-1), "telegram.chats.555.actions[0]"),
        (lambda chat: chat["actions"][0].pop("date"), "telegram.chats.555.actions[0]"),
        (lambda chat: chat["actions"][0].update(bot_id=True), "telegram.chats.555.actions[0]"),
    ],
)
async def test_a_malformed_history_is_refused_and_changes_nothing(client, mutate, reason):
    await session(client)
    before = await ok(await client.get("/_mock/state"))
    bad = await ok(await client.get("/_mock/state"))
    mutate(bad["telegram"]["chats"]["555"])
    r = await client.put("/_mock/state", json=bad)
    assert r.status_code == 400 and reason in r.text, r.text
    assert await ok(await client.get("/_mock/state")) == before


async def test_a_state_without_actions_still_loads(client):
    """State files written before chat actions existed have none; they load unchanged."""
    await new_user(client, 555)
    saved = await ok(await client.get("/_mock/state"))
    assert "actions" not in saved["telegram"]["chats"]["555"]
    await ok(await client.put("/_mock/state", json=saved))
    assert await ok(await client.get("/_mock/state")) == saved
