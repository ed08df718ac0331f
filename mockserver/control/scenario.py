"""Load a scenario over HTTP, and verify the loaded (or a sent) ``expect``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import media_type, raw_body
from ..expect import verify as run_verify
from ..responses import control_json
from ..scenario import ScenarioError, parse_json_scenario, parse_scenario
from ..scenario.loader import expectation_problems
from .common import Refusal, body, handler

YAML_TYPES = ("", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


@handler
async def load(request: Request) -> Response:
    """Validate first; only a good scenario replaces the running one (and resets to it)."""
    raw = raw_body(request)
    kind = media_type(request)
    if not raw.strip():
        raise Refusal(400, "empty body: send a scenario as YAML or JSON")
    try:
        if kind == "application/json" or kind.endswith("+json"):
            scenario = parse_json_scenario(raw, source="<body>", empty_ok=False)
        elif kind in YAML_TYPES:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Refusal(400, "the scenario is not valid UTF-8") from None
            scenario = parse_scenario(text, source="<body>", empty_ok=False)
        else:
            raise Refusal(415, f"Content-Type {kind} is not supported: send application/yaml or application/json")
    except ScenarioError as exc:
        raise Refusal(400, "invalid scenario", exc.lines) from None
    emulator = request.app.state.emulator
    emulator.load(scenario)
    return control_json({"status": "loaded", "name": scenario["name"]})


@handler
async def verify(request: Request) -> Response:
    emulator = request.app.state.emulator
    world = emulator.world
    items = emulator.scenario.get("expect", [])
    if request.scope.get("mockserver.body", b"").strip():
        sent = body(request)
        if not isinstance(sent, dict) or set(sent) != {"expect"}:
            raise Refusal(400, 'send {"expect": [...]} or no body at all', None)
        refs = {app.app_uuid: app.app_uuid for app in world.apps}
        refs.update({app.username.lower(): app.app_uuid for app in world.apps})
        problems = expectation_problems(sent["expect"], refs)
        if problems:
            raise Refusal(400, "invalid expect", problems)
        items = sent["expect"]
    return control_json(run_verify(world, emulator.journal, items))


routes = [
    Route("/_mock/scenario", load, methods=["POST"]),
    Route("/_mock/verify", verify, methods=["POST"]),
]
