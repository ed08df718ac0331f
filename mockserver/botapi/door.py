"""One Bot API request: check the token, find the method, read the arguments, answer in the envelope."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..domain.contacts.apps import BOT_TOKEN
from ..domain.telegram.chats import TelegramError
from ..responses import JSON, bot_error, dumps
from .bot_settings import METHODS as SETTINGS_METHODS
from .editing import METHODS as EDITING_METHODS
from .files import METHODS as FILE_METHODS
from .methods import METHODS, Call
from .params import Args, read_params

# Every served method by its lower-cased name: one look-up per call (the tables share no name).
ALL_METHODS = {**METHODS, **FILE_METHODS, **EDITING_METHODS, **SETTINGS_METHODS}


def bot_ok(result: Any, description: str | None = None) -> Response:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return Response(dumps(body), 200, media_type=JSON)


def refusal(exc: TelegramError) -> Response:
    """Telegram's envelope; a flood-control answer also says ``Retry-After`` in its headers, for HTTP clients."""
    if exc.retry_after is None:
        return bot_error(exc.error_code, exc.description)
    return bot_error(exc.error_code, exc.description, {"retry_after": exc.retry_after}, {"Retry-After": str(exc.retry_after)})


async def call_method(request: Request) -> Response:
    emulator = request.app.state.emulator
    world = emulator.world
    token = request.path_params["token"]
    if not BOT_TOKEN.match(token):
        return bot_error(404, "Not Found")
    app = world.apps.by_token(token)
    if app is None:
        return bot_error(401, "Unauthorized")
    try:
        world.bot_settings.admit(app.app_uuid, world.clock.now())  # logged out, or launched by this call
    except TelegramError as exc:
        return refusal(exc)
    name = request.path_params["method"].lower()
    method = ALL_METHODS.get(name)
    if method is None:
        return bot_error(404, "Not Found: method not found")
    entry = request.scope.get("mockserver.entry")
    if entry is not None:
        entry.notes["bot"] = {"app_uuid": app.app_uuid, "method": name}
    try:
        args = Args(*await read_params(request))
        answer = await method(Call(world, app, args, emulator.updates))
    except TelegramError as exc:
        return refusal(exc)
    return bot_ok(answer.result, answer.description)
