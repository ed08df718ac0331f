"""Regenerate ``mockserver/generic_ops.json`` from the vendor's OpenAPI document (a maintainer's tool).

The generic operations (README, "Generic operations") are answered from their schemas. This
takes the *shapes* of those operations from the vendor document, nothing else: descriptions,
summaries and examples are dropped, ``$ref``s are inlined, integer formats become explicit
bounds, and request-side string formats are dropped (the emulator does not check them).

    python tools/generic_ops.py ../shared/reference/esputnik-official-openapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "mockserver" / "generic_ops.json"
DROP = {"description", "summary", "example", "examples", "xml", "title", "externalDocs", "deprecated"}
BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
# (method, path) of every operation answered generically.
GENERIC = [
    ("get", "/api/v1/site/domains"), ("post", "/api/v1/site/domains"), ("get", "/api/v1/site/script"),
    ("get", "/api/v1/site/webpush/domains"), ("post", "/api/v1/site/webpush/domains"),
    ("delete", "/api/v1/site/webpush/domains"), ("get", "/api/v1/site/webpush/script"),
    ("get", "/api/v1/products/config"), ("post", "/api/v1/products/config"),
    ("get", "/api/v1/promocodes"), ("post", "/api/v1/promocodes"), ("get", "/api/v1/promocodes/count"),
    ("get", "/api/v1/preprocessor/file/{id}/status"), ("post", "/api/v1/preprocessor/file/upload"),
    ("post", "/api/v1/preprocessor/file/{id}"), ("get", "/api/v1/interfaces/sms"), ("get", "/api/v1/interfaces/email"),
    ("get", "/api/v1/workflows"), ("get", "/api/v2/contacts/recoms/{dataSourceId}"), ("get", "/api/v2/contacts/activity"),
    ("get", "/api/v2/contacts/messages"), ("put", "/api/v1/interactions/{interaction_id}/status"),
    ("post", "/api/v1/auth/token"), ("get", "/api/v1/balance/history"),
]


def shape(node, components: dict, request: bool, seen: tuple = ()):
    if isinstance(node, list):
        return [shape(n, components, request, seen) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return {"type": "object"}  # a recursive shape stops here
        return shape(components[name], components, request, (*seen, name))
    out = {}
    for key, value in node.items():
        if key in DROP:
            continue
        if key == "properties":
            out[key] = {k: shape(v, components, request, seen) for k, v in value.items()}
        else:
            out[key] = shape(value, components, request, seen)
    fmt = out.get("format")
    if out.get("type") == "integer" and fmt in BOUNDS:
        low, high = BOUNDS[fmt]
        out["minimum"], out["maximum"] = max(out.get("minimum", low), low), min(out.get("maximum", high), high)
        del out["format"]
    elif request and out.get("type") == "string" and fmt is not None:
        del out["format"]
    if "enum" in out:
        out["enum"] = list(dict.fromkeys(out["enum"]))
    if "default" in out and out.get("type") in ("integer", "number", "boolean") and isinstance(out["default"], str):
        del out["default"]  # the vendor writes some defaults as prose
    return out


def main(source: str) -> None:
    doc = json.loads(Path(source).read_text())
    components = doc["components"]["schemas"]
    operations = []
    for method, path in GENERIC:
        op = doc["paths"][path][method]
        responses = op["responses"]
        status = "200" if "200" in responses else "default"
        content = responses[status].get("content") or {}
        media, body = next(iter(content.items()), (None, {}))
        request = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
        operations.append(
            {
                "operationId": op["operationId"],
                "method": method.upper(),
                "path": path,
                "parameters": [
                    {"name": p["name"], "in": p["in"], "required": bool(p.get("required")), "schema": shape(p.get("schema", {}), components, True)}
                    for p in op.get("parameters", [])
                ],
                "requestBody": shape(request, components, True) if request else None,
                "contentType": "text/plain" if media and media.startswith("text/plain") else "application/json",
                "response": shape(body.get("schema"), components, False) if body.get("schema") else None,
            }
        )
    OUT.write_text(json.dumps({"operations": operations}, indent=1) + "\n")
    print(f"{len(operations)} operations -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
