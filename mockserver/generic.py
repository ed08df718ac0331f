"""The generic eSputnik operations: the ones the emulator keeps no state for, answered from their schemas.

``generic_ops.json`` (made by ``tools/generic_ops.py`` from the vendor's shapes, and declared
the same way in ``openapi.yaml``) lists each operation with its parameters, request body and
answer schema. A request is checked against them (a 400 names the field); the answer is the
scenario's ``vendor_data[operationId]`` when it sets one (checked against the answer schema
when the scenario loads), else a value built from the schema, the same every time.
Shared by the ``/api`` door (``api.generic``) and the scenario loader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jsonschema

SPEC = Path(__file__).with_name("generic_ops.json")
MAX_DEPTH = 8
# Values that stay the same from run to run, so a generated answer is deterministic.
MOMENT = "2024-01-01T00:00:00Z"
FORMATS = {"date-time": MOMENT, "date": "2024-01-01", "uuid": "00000000-0000-4000-8000-000000000001", "email": "owner@example.com"}


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    parameters: tuple[dict, ...]
    request_body: dict | None
    content_type: str
    response: dict | None

    def checker(self) -> jsonschema.Draft4Validator | None:
        return _validator(self.operation_id, "request") if self.request_body else None

    def answer_checker(self) -> jsonschema.Draft4Validator | None:
        return _validator(self.operation_id, "response") if self.response else None


@lru_cache(maxsize=1)
def operations() -> dict[str, Operation]:
    data = json.loads(SPEC.read_text())
    return {
        op["operationId"]: Operation(
            op["operationId"], op["method"], op["path"], tuple(op["parameters"]), op["requestBody"], op["contentType"], op["response"]
        )
        for op in data["operations"]
    }


@cache
def _validator(operation_id: str, which: str) -> jsonschema.Draft4Validator:
    op = operations()[operation_id]
    schema = op.request_body if which == "request" else op.response
    return jsonschema.Draft4Validator(json_schema(schema), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` becomes a type that admits null."""
    if isinstance(schema, list):
        return [json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: json_schema(v) if k != "properties" else {n: json_schema(s) for n, s in v.items()} for k, v in schema.items()}
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def problem(validator: jsonschema.Draft4Validator, value: object, root: str) -> str | None:
    """The first reason ``value`` breaks the schema, naming where (``body.feeds[0].url``), or None."""
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is None:
        return None
    where = root
    for step in error.absolute_path:
        where += f"[{step}]" if isinstance(step, int) else f".{step}"
    return f"{where}: {error.message}"


def vendor_data_problems(vendor_data: dict) -> list[tuple[tuple, str]]:
    """What is wrong with a scenario's ``vendor_data``: (path, reason) pairs."""
    found = []
    known = operations()
    for key, value in vendor_data.items():
        op = known.get(key)
        if op is None:
            found.append(((key,), f"no generic operation {key!r} (known: {', '.join(sorted(known))})"))
            continue
        if op.content_type == "text/plain":
            if not isinstance(value, str):
                found.append(((key,), "must be a string (this answer is plain text)"))
            continue
        checker = op.answer_checker()
        reason = problem(checker, value, key) if checker else None
        if reason is not None:
            found.append(((key,), f"does not fit the answer's schema: {reason}"))
    return found


def example(schema: Any, name: str = "value", depth: int = 0) -> Any:
    """A value that fits ``schema``, the same on every call: every property, one item per array."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None if isinstance(schema, dict) and schema.get("nullable") else {}
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema.get("type") != "object":
        return schema["default"]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return example(schema[key][0], name, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        return {key: example(sub, key, depth + 1) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        items = schema.get("items", {})
        return [example(items, name, depth + 1)] if depth < MAX_DEPTH else []
    if kind == "integer":
        return _number(schema, 1)
    if kind == "number":
        return float(_number(schema, 1))
    if kind == "boolean":
        return False
    if kind == "string":
        text = FORMATS.get(schema.get("format", ""), name)
        low = schema.get("minLength", 0)
        return text + "x" * max(0, low - len(text))
    return {}


def _number(schema: dict, preferred: int) -> int:
    low, high = schema.get("minimum"), schema.get("maximum")
    value = preferred
    if low is not None and value < low:
        value = int(low)
    if high is not None and value > high:
        value = int(high)
    return value


def answer(op: Operation, vendor_data: dict) -> Any:
    """What the operation answers: the scenario's data for it, else the example of its schema."""
    if op.operation_id in vendor_data:
        return vendor_data[op.operation_id]
    if op.content_type == "text/plain":
        return f"<!-- {op.operation_id}: set vendor_data.{op.operation_id} in the scenario -->"
    if op.response is None:
        return ""
    return example(op.response)
