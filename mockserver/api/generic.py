"""The generic operations (site scripts and domains, web push, product feeds, promo codes, preprocessor
files, interfaces, workflows, recommendations, activity and message reports, interaction status,
auth tokens, balance history): checked against their schemas, answered from the scenario.

See ``mockserver.generic``; the request is journaled like every other, with the operationId noted.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import jsonschema
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.errors import InvalidInput
from ..generic import Operation, json_schema, operations, problem
from ..generic import answer as generic_answer
from ..responses import ESPUTNIK_JSON, api_json
from .common import note, refusal

INTEGER = re.compile(r"-?[0-9]{1,19}")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def parameter(op: Operation, spec: dict, raw: str | None) -> object:
    """A query or path parameter converted to its schema's type and checked, or InvalidInput naming it."""
    name, schema = spec["name"], spec.get("schema", {})
    if raw is None:
        if spec.get("required"):
            raise InvalidInput(f"{name} is required")
        return None
    kind = schema.get("type")
    value: object = raw
    if kind == "integer":
        if not INTEGER.fullmatch(raw):
            raise InvalidInput(f"{name} must be an integer, got {raw!r}")
        value = int(raw)
    elif kind == "number":
        if not NUMBER.fullmatch(raw):
            raise InvalidInput(f"{name} must be a number, got {raw!r}")
        value = float(raw)
    elif kind == "boolean":
        if raw not in ("true", "false"):
            raise InvalidInput(f"{name} must be true or false, got {raw!r}")
        value = raw == "true"
    reason = problem(jsonschema.Draft4Validator(json_schema(schema)), value, name)
    if reason is not None:
        raise InvalidInput(reason)
    return value


def handler(by_method: dict[str, Operation]) -> Callable:
    async def handle(request: Request) -> Response:
        op = by_method[request.method]
        note(request, "operationId", op.operation_id)
        try:
            for spec in op.parameters:
                source = request.path_params if spec["in"] == "path" else request.query_params
                parameter(op, spec, source.get(spec["name"]))
            checker = op.checker()
            if checker is not None:
                reason = problem(checker, json_body(request), "body")
                if reason is not None:
                    raise InvalidInput(reason)
        except (BodyError, InvalidInput) as exc:
            return refusal(exc)
        data = generic_answer(op, request.app.state.emulator.scenario.get("vendor_data", {}))
        if op.content_type == "text/plain":
            return Response(str(data), 200, media_type="text/plain; charset=UTF-8")
        return api_json(data) if data is not None else Response(b"null", 200, media_type=ESPUTNIK_JSON)

    return handle


def _routes() -> list[Route]:
    by_path: dict[str, dict[str, Operation]] = {}
    for op in operations().values():
        by_path.setdefault(op.path, {})[op.method] = op
    return [Route(path, handler(ops), methods=list(ops)) for path, ops in by_path.items()]


routes = _routes()
