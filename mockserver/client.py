"""A small client for the control plane (``/_mock``), on the standard library alone.

The pytest fixture hands one to each test; it works against any running emulator too:
``ControlClient("http://127.0.0.1:8080").count(path="/api/*")``. An emulator started with a
control token needs it here too: ``token=...``, else ``$MOCKSERVER_CONTROL_TOKEN`` is sent.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any


class ControlError(Exception):
    """The control plane refused a call; ``status`` and ``body`` say how."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class ControlClient:
    def __init__(self, url: str, timeout: float = 30.0, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        token = token if token is not None else os.environ.get("MOCKSERVER_CONTROL_TOKEN")
        self._auth = {"Authorization": f"Bearer {token}"} if token else {}

    # -- plumbing ------------------------------------------------------------------

    def call(self, method: str, path: str, body: Any = None, *, query: dict | None = None, raw: bytes | None = None, content_type: str = "application/json") -> Any:
        params = {k: v for k, v in (query or {}).items() if v is not None}
        target = self.url + path + (f"?{urllib.parse.urlencode(params)}" if params else "")
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"Content-Type": content_type, **self._auth} if data is not None else dict(self._auth)
        request = urllib.request.Request(target, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            text = exc.read()
            try:
                detail = json.loads(text)
            except ValueError:
                detail = text.decode("utf-8", "replace")
            raise ControlError(exc.code, detail) from None

    # -- the control plane ---------------------------------------------------------

    def health(self) -> dict:
        return self.call("GET", "/_mock/health")

    def reset(self, only: str | None = None) -> dict:
        return self.call("POST", "/_mock/reset", query={"only": only})

    def load_scenario(self, scenario: str | Path | dict) -> dict:
        """Load a scenario file (a Path or a path string ending in .yaml/.yml/.json), YAML text, or a dict."""
        if isinstance(scenario, dict):
            return self.call("POST", "/_mock/scenario", scenario)
        if isinstance(scenario, Path) or (isinstance(scenario, str) and "\n" not in scenario and scenario.endswith((".yaml", ".yml", ".json"))):
            scenario = Path(scenario).read_text(encoding="utf-8")
        return self.call("POST", "/_mock/scenario", raw=scenario.encode(), content_type="application/yaml")

    def state(self) -> dict:
        return self.call("GET", "/_mock/state")

    def put_state(self, state: dict) -> dict:
        return self.call("PUT", "/_mock/state", state)

    def contacts(self) -> list[dict]:
        return self.state()["contacts"]

    def requests(self, *, method: str | None = None, path: str | None = None, status: int | None = None, since: int | None = None) -> list[dict]:
        query = {"method": method, "path": path, "status": status, "since": since}
        return self.call("GET", "/_mock/requests", query=query)["requests"]

    def count(self, *, method: str | None = None, path: str | None = None, status: int | None = None, since: int | None = None) -> int:
        query = {"method": method, "path": path, "status": status, "since": since}
        return self.call("GET", "/_mock/requests/count", query=query)["count"]

    def wait(self, count: int = 1, timeout: float = 5.0, *, method: str | None = None, path: str | None = None, status: int | None = None, since: int | None = None) -> int:
        """Block until ``count`` matching requests were journaled; ControlError(408) at the timeout."""
        query = {"count": count, "timeout": timeout, "method": method, "path": path, "status": status, "since": since}
        return self.call("GET", "/_mock/requests/wait", query=query)["count"]

    def add_fault(self, action: dict, *, match: dict | None = None, times: int | None = None, probability: float | None = None, seed: int | None = None) -> str:
        rule: dict[str, Any] = {"action": action}
        for key, value in (("match", match), ("times", times), ("probability", probability), ("seed", seed)):
            if value is not None:
                rule[key] = value
        return self.call("POST", "/_mock/faults", rule)["id"]

    def faults(self) -> list[dict]:
        return self.call("GET", "/_mock/faults")["faults"]

    def delete_fault(self, fault_id: str) -> None:
        self.call("DELETE", f"/_mock/faults/{urllib.parse.quote(fault_id)}")

    def clear_faults(self) -> None:
        self.call("DELETE", "/_mock/faults")

    def clock(self) -> dict:
        return self.call("GET", "/_mock/clock")

    def freeze(self, frozen: bool = True) -> dict:
        return self.call("POST", "/_mock/clock", {"freeze": frozen})

    def advance(self, seconds: float) -> dict:
        return self.call("POST", "/_mock/clock", {"advance": seconds})

    def reset_clock(self) -> dict:
        return self.call("POST", "/_mock/clock", {"reset": True})

    def verify(self, expect: list[dict] | None = None) -> dict:
        return self.call("POST", "/_mock/verify", {"expect": expect} if expect is not None else None)

    def snapshot(self) -> dict:
        """Save the state to the server's ``--state-file`` now (ControlError 409 without one)."""
        return self.call("POST", "/_mock/snapshot")

    # -- the simulated Telegram side -----------------------------------------------

    def telegram_user(self, user_id: int | str, first_name: str = "User", **profile: str) -> "TelegramUser":
        """Create (or update) a simulated Telegram user and hand back a handle to make them act."""
        self.call("POST", "/_mock/telegram/users", {"id": user_id, "first_name": first_name, **profile})
        return TelegramUser(self, str(user_id))

    def outbox(self, *, channel: str | None = None, to: str | None = None, since: int | None = None) -> list[dict]:
        """The email, SMS and Viber messages the API captured, oldest first (filters as /_mock/outbox)."""
        return self.call("GET", "/_mock/outbox", query={"channel": channel, "to": to, "since": since})["messages"]

    def clear_outbox(self) -> int:
        return self.call("DELETE", "/_mock/outbox")["removed"]

    def events(
        self, *, event_type_key: str | None = None, key_value: str | None = None, contact_id: int | None = None,
        past: bool | None = None, since: int | None = None, limit: int | None = None,
    ) -> list[dict]:
        """The events (and past events) the API kept, oldest first (filters as /_mock/events)."""
        query = {
            "eventTypeKey": event_type_key, "keyValue": key_value, "contactId": contact_id,
            "past": None if past is None else str(past).lower(), "since": since, "limit": limit,
        }
        return self.call("GET", "/_mock/events", query=query)["events"]

    def clear_events(self) -> int:
        return self.call("DELETE", "/_mock/events")["removed"]

    def orders(
        self, *, status: str | None = None, external_order_id: str | None = None, external_customer_id: str | None = None,
        contact_id: int | None = None, since: int | None = None, limit: int | None = None,
    ) -> list[dict]:
        """The orders the API kept, as last sent, oldest first (filters as /_mock/orders)."""
        query = {
            "status": status, "externalOrderId": external_order_id, "externalCustomerId": external_customer_id,
            "contactId": contact_id, "since": since, "limit": limit,
        }
        return self.call("GET", "/_mock/orders", query=query)["orders"]

    def clear_orders(self) -> int:
        return self.call("DELETE", "/_mock/orders")["removed"]

    def chat_messages(self, chat_id: int | str, *, deleted: bool = False) -> list[dict]:
        """The chat's messages both ways (the user's and the bots'), oldest first, as edits left them
        (``edit_date``, and ``edits``: the versions replaced); deleted ones only with ``deleted``."""
        query = {"deleted": "true"} if deleted else None
        return self.call("GET", f"/_mock/telegram/chats/{chat_id}/messages", query=query)["messages"]

    def chat_actions(self, chat_id: int | str) -> list[dict]:
        """The bots' chat actions (typing, upload_photo ...) the chat shows now by the world clock."""
        return self.call("GET", f"/_mock/telegram/chats/{chat_id}/messages")["chat_actions"]

    def chat_keyboards(self, chat_id: int | str) -> dict:
        """By bot username: the reply keyboard (``markup``, ``hidden``) and pending force reply each bot left."""
        return self.call("GET", f"/_mock/telegram/chats/{chat_id}/messages")["keyboards"]

    def set_chat_state(self, chat_id: int | str, change: str) -> dict:
        """``block``, ``unblock`` or ``deactivate`` a chat; every bot hears it (``my_chat_member``)."""
        if change not in ("block", "unblock", "deactivate"):
            raise ValueError(f"change must be block, unblock or deactivate (got {change!r})")
        return self.call("POST", f"/_mock/telegram/chats/{chat_id}/{change}")

    def click(self, chat_id: int | str, request_id: str | None = None) -> dict:
        """The chat's user opens the link of a delivery (the latest one, or ``request_id``'s)."""
        body = {"requestId": request_id} if request_id is not None else None
        return self.call("POST", f"/_mock/telegram/chats/{chat_id}/click", body)


class TelegramUser:
    """One simulated Telegram user; each action answers what ``/_mock/telegram/users`` answers
    (the user and the updates queued for the bot). ``bot`` (username or app_uuid) is needed
    only when the scenario has several bots."""

    def __init__(self, client: ControlClient, user_id: str) -> None:
        self.client = client
        self.id = user_id

    def _act(self, name: str, body: dict) -> dict:
        fields = {k: v for k, v in body.items() if v is not None}
        return self.client.call("POST", f"/_mock/telegram/users/{self.id}/{name}", fields or None)

    def info(self) -> dict:
        """The user's profile, chat state and the messages bots sent them."""
        return self.client.call("GET", f"/_mock/telegram/users/{self.id}")["user"]

    def start(self, payload: str | None = None, *, bot: str | None = None) -> dict:
        return self._act("start", {"payload": payload, "bot": bot})

    def send(self, text: str, *, bot: str | None = None) -> dict:
        return self._act("send", {"text": text, "bot": bot})

    def press(self, message_id: int, *, callback_data: str | None = None, text: str | None = None, bot: str | None = None) -> dict:
        return self._act("press", {"message_id": message_id, "callback_data": callback_data, "text": text, "bot": bot})

    def press_key(self, text: str, *, bot: str | None = None) -> dict:
        """Press the reply-keyboard button labelled ``text`` (a request_contact button shares the phone)."""
        return self._act("press_key", {"text": text, "bot": bot})

    def share_contact(self, phone_number: str | None = None, *, bot: str | None = None) -> dict:
        """Share the user's own contact with the bot (the phone given at creation unless ``phone_number``)."""
        return self._act("share_contact", {"phone_number": phone_number, "bot": bot})

    def keyboard(self, bot: str | None = None) -> dict | None:
        """The reply keyboard in force from ``bot`` (or the only bot that left one), or None."""
        views = self.client.chat_keyboards(self.id)
        if bot is None:
            if len(views) > 1:
                raise ValueError(f"several bots left keyboards ({', '.join(views)}): name one")
            view: dict = next(iter(views.values()), {})
        else:
            view = views.get(bot, {})
        return view.get("keyboard")

    def block(self, *, bot: str | None = None) -> dict:
        return self._act("block", {"bot": bot})

    def unblock(self, *, bot: str | None = None) -> dict:
        return self._act("unblock", {"bot": bot})

    def messages(self, *, deleted: bool = False) -> list[dict]:
        return self.client.chat_messages(self.id, deleted=deleted)

    def chat_actions(self) -> list[dict]:
        """What the user sees the bots doing now ("typing" ...), fresh for 5 s or until the bot's next message."""
        return self.client.chat_actions(self.id)
