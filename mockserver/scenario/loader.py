"""Read and check a scenario file; the World only ever sees the normalized result.

Checking has two layers: the JSON Schema (shapes and types) and the semantic checks
below (references between parts, duplicates, identifiers that must parse). Every
problem is reported as ``file:line:column: reason``, with the place found by following
the problem's JSON path through the YAML node tree.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import jsonschema
import orjson
import yaml

from ..domain.commerce.events import parse_past_events
from ..domain.commerce.orders import parse_order
from ..domain.contacts.apps import parse_app_uuid
from ..domain.contacts.book import TEXT_FIELDS
from ..domain.contacts.generate import pattern_problem
from ..domain.contacts.updates import EMAIL_FORM
from ..domain.errors import InvalidInput
from ..domain.settings import Limits
from ..generic import vendor_data_problems
from .bounds import MAX_GENERATED, TooLarge, check_text_size, load_yaml
from .positions import Positions
from .schema import EXPECT_SUBJECTS, SCENARIO_SCHEMA
from .shipped import find_scenario, shipped_names

MAX_PROBLEMS = 20
_VALIDATOR = jsonschema.Draft202012Validator(SCENARIO_SCHEMA)


@dataclass(frozen=True)
class Problem:
    path: tuple
    reason: str
    line: int = 1
    column: int = 1
    on_key: bool = False

    def render(self, source: str) -> str:
        return f"{source}:{self.line}:{self.column}: {self.reason}"


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` say where and why, one per line."""

    def __init__(self, source: str, problems: list[Problem] | None = None, message: str | None = None) -> None:
        self.source = source
        self.problems = problems or []
        self.lines = [p.render(source) for p in self.problems] if problems else [message or f"{source}: unusable scenario"]
        super().__init__("\n".join(self.lines))


def load_scenario(name: str | Path) -> dict:
    """A scenario file by path, or a shipped scenario by name (``blocked_user``)."""
    path = find_scenario(name)
    try:
        if path.is_file():
            check_text_size(path.stat().st_size)
        text = path.read_text(encoding="utf-8")
    except TooLarge as exc:
        raise ScenarioError(str(path), message=f"{path}: {exc}") from None
    except FileNotFoundError:
        shipped = ", ".join(shipped_names())
        message = f"{path}: no such scenario file" + (f" (shipped scenarios: {shipped})" if shipped else "")
        raise ScenarioError(str(path), message=message) from None
    except IsADirectoryError:
        raise ScenarioError(str(path), message=f"{path}: is a directory, not a scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), message=f"{path}: cannot read the scenario file: {exc}") from None
    return parse_scenario(text, source=str(path))


def parse_scenario(text: str, source: str = "<scenario>", *, empty_ok: bool = True) -> dict:
    """YAML (or JSON, which is YAML too) text → normalized scenario, or ScenarioError."""
    try:
        check_text_size(len(text))
        data = load_yaml(text)
    except TooLarge as exc:
        raise ScenarioError(source, [Problem((), str(exc), 1, 1)]) from None
    except RecursionError:
        raise ScenarioError(source, [Problem((), "invalid YAML: nested too deeply", 1, 1)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScenarioError(source, [Problem((), f"invalid YAML: {reason}", line, column)]) from None
    return _checked(data, Positions(text), source, empty_ok)


def parse_json_scenario(body: bytes, source: str = "<scenario>", *, empty_ok: bool = True) -> dict:
    try:
        check_text_size(len(body))
    except TooLarge as exc:
        raise ScenarioError(source, [Problem((), str(exc), 1, 1)]) from None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ScenarioError(source, [Problem((), f"invalid JSON: {exc}", exc.lineno, exc.colno)]) from None
    return _checked(data, Positions(body.decode("utf-8", "replace")), source, empty_ok)


def normalize_scenario(data: object, source: str = "<scenario>") -> dict:
    """Check an already parsed scenario and turn it into the World's input (ScenarioError otherwise)."""
    return _checked(data, None, source)


def check_problems(data: object) -> list[Problem]:
    """Every problem of a parsed scenario, schema first; empty when it is usable."""
    data = _plain(data)
    problems = schema_problems(data)
    if not problems:
        problems = list(semantic_problems(cast(dict, data)))  # the schema's top level is an object
    return problems


def _checked(data: object, positions: Positions | None, source: str, empty_ok: bool = True) -> dict:
    """An empty document is an empty scenario, where a file may be empty (``empty_ok``)."""
    if data is None and empty_ok:
        data = {}
    data = _plain(data)
    problems = check_problems(data)
    if problems:
        placed = []
        for problem in problems[:MAX_PROBLEMS]:
            line, column = positions.locate(problem.path, key=problem.on_key) if positions else (1, 1)
            where = _dotted(problem.path)
            reason = f"{where}: {problem.reason}" if where else problem.reason
            placed.append(Problem(problem.path, reason, line, column))
        placed.sort(key=lambda p: (p.line, p.column))
        raise ScenarioError(source, placed)
    return _normalize(cast(dict, data))  # checked: an object


def _plain(data: Any) -> Any:
    """Mapping keys as strings (YAML reads ``111:`` as an int), so the schema and paths see text."""
    if isinstance(data, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _dotted(path: tuple | list) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


# -- the schema layer ----------------------------------------------------------------


def schema_problems(data: object) -> list[Problem]:
    return [_problem(error) for error in _VALIDATOR.iter_errors(data)]


def _problem(error: jsonschema.ValidationError) -> Problem:
    error = _deepest(error)
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        name = extra[0] if extra else "?"
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        what = schema.get("x-unknown", "unknown key")
        return Problem((*path, name), f"{what} {name!r}{hint}", on_key=True)
    if error.validator == "required":
        return Problem(path, error.message.replace("is a required property", "is required"))
    if "propertyNames" in error.relative_schema_path:
        return Problem((*path, str(error.instance)), f"{error.instance!r} is not a valid key here", on_key=True)
    message = schema.get("x-message")
    if message:
        return Problem(path, f"{message} (got {_show(error.instance)})")
    if error.validator == "enum":
        return Problem(path, f"{_show(error.instance)} is not one of: {', '.join(map(str, schema.get('enum', ())))}")
    return Problem(path, error.message)


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For oneOf/anyOf, the failure inside the branch that fits the value's type, if any."""
    if not error.context:
        return error
    same_level = len(error.absolute_path)
    candidates = [
        e for e in error.context if not (e.validator in ("type", "enum") and len(e.absolute_path) == same_level)
    ]
    if not candidates:
        return error
    if isinstance(error.schema, dict) and "x-message" in error.schema and not _has_deeper(error):
        return error
    return _deepest(jsonschema.exceptions.best_match(candidates))


def _has_deeper(error: jsonschema.ValidationError) -> bool:
    return any(len(e.absolute_path) > len(error.absolute_path) or e.validator == "additionalProperties" for e in error.context)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- the semantic layer ----------------------------------------------------------------


def semantic_problems(data: dict) -> Iterator[Problem]:
    refs: dict[str, str] = {}  # every spelling of a bot (username, app_uuid) -> its app_uuid
    taken: dict[int, str] = {}  # contact ids in use -> where they come from
    yield from _bot_problems(data.get("bots", []), refs)
    next_id = yield from _contact_problems(data, refs, taken)
    yield from _generate_problems(data, refs, taken, next_id)
    for index, item in enumerate(data.get("expect", [])):
        yield from _expect_problems(index, item, refs)
    yield from _commerce_problems(data)
    yield from _audience_problems(data, refs)
    for path, reason in vendor_data_problems(data.get("vendor_data", {})):
        yield Problem(("vendor_data", *path), reason)


def _bot_problems(bots: list[dict], refs: dict[str, str]) -> Iterator[Problem]:
    """Malformed or duplicate bots; fills ``refs`` with the names the other sections may use."""
    seen: dict[str, dict[str, int]] = {"app_uuid": {}, "token": {}, "username": {}}
    for index, bot in enumerate(bots):
        app_uuid = parse_app_uuid(bot["app_uuid"])
        if app_uuid is None:
            yield Problem(("bots", index, "app_uuid"), "malformed UUID")
            continue
        username = bot["username"].lstrip("@").lower()
        for field, value in (("app_uuid", app_uuid), ("token", bot["token"]), ("username", username)):
            if value in seen[field]:
                yield Problem(("bots", index, field), f"duplicate bot {field}: also bots[{seen[field][value]}]")
            seen[field].setdefault(value, index)
        refs[app_uuid] = app_uuid
        refs[username] = app_uuid


def _contact_problems(data: dict, refs: dict[str, str], taken: dict[int, str]) -> Generator[Problem, None, int]:
    """Duplicate ids and unknown bots among the listed contacts; returns the next free id."""
    next_id = data.get("contact_id_base", 1)
    for index, contact in enumerate(data.get("contacts", [])):
        contact_id = contact.get("id", next_id)
        if contact_id in taken:
            yield Problem(("contacts", index, "id" if "id" in contact else ""), f"duplicate contact id {contact_id}: also {taken[contact_id]}")
        taken.setdefault(contact_id, f"contacts[{index}]")
        next_id = max(next_id, contact_id + 1)
        yield from _bot_ref_problems(("contacts", index), contact.get("tokens", {}), refs)
    return next_id


def _generate_problems(data: dict, refs: dict[str, str], taken: dict[int, str], next_id: int) -> Iterator[Problem]:
    """The generate blocks: their total, their patterns and bots, and ids clashing with earlier ones."""
    generated = sum(block["count"] for block in _generate_blocks(data))
    if generated > MAX_GENERATED:
        yield Problem(("generate",), f"generate makes {generated} contacts in all; at most {MAX_GENERATED}")
    for index, block in enumerate(_generate_blocks(data)):
        path: tuple = ("generate", index) if isinstance(data.get("generate"), list) else ("generate",)
        yield from _pattern_problems(path, block)
        yield from _bot_ref_problems(path, block.get("tokens", {}), refs)
        yield from _token_pattern_problems(path, block)
        first = block.get("id_base", next_id)
        last = first + block["count"] - 1
        clash = next((i for i in taken if first <= i <= last), None)
        if clash is not None:
            yield Problem((*path, "id_base" if "id_base" in block else "count"), f"duplicate contact id {clash}: generated ids {first}..{last} overlap {taken[clash]}")
        else:
            taken[first] = f"generate ids {first}..{last}"
            taken[last] = f"generate ids {first}..{last}"
        next_id = max(next_id, last + 1)


def _pattern_problems(path: tuple, block: dict) -> Iterator[Problem]:
    for key in ("email", "phone", *TEXT_FIELDS):
        if key in block and (reason := pattern_problem(block[key])):
            yield Problem((*path, key), reason)


def _token_pattern_problems(path: tuple, block: dict) -> Iterator[Problem]:
    for ref, patterns in block.get("tokens", {}).items():
        for pattern in [patterns] if isinstance(patterns, str) else patterns:
            if reason := pattern_problem(pattern):
                yield Problem((*path, "tokens", ref), reason)


def _commerce_problems(data: dict) -> Iterator[Problem]:
    """Seeded events and orders pass the API's own checks, and fit their bounds."""
    limits = data.get("limits", {})
    for key, check in (
        ("events", lambda seed: parse_past_events({"events": [seed]}, 2)),
        ("orders", lambda seed: parse_order(seed, "orders[0]")),
    ):
        seeds = data.get(key, [])
        most = limits.get(key, getattr(Limits, key))
        if len(seeds) > most:
            yield Problem((key,), f"{len(seeds)} {key} is more than limits.{key} ({most})")
        for index, seed in enumerate(seeds):
            try:
                check(seed)
            except InvalidInput as exc:
                yield Problem((key, index), exc.message.removeprefix(f"{key}[0].").removeprefix(f"{key}[0] "))


def _group_table(data: dict) -> tuple[dict[str, dict], list[Problem]]:
    """Every group a scenario names (declared first, then new names on contacts) with its id and type.

    Ids given anywhere are kept; names without one count on from the highest id given. A name
    given two ids, an id given two names, or a name given two types is a problem.
    """
    places: list[tuple[tuple, dict]] = [(("groups", i), g) for i, g in enumerate(data.get("groups", []))]
    for index, contact in enumerate(data.get("contacts", [])):
        for g_index, group in enumerate(contact.get("groups", [])):
            places.append((("contacts", index, "groups", g_index), {"name": group} if isinstance(group, str) else group))
    problems: list[Problem] = []
    by_name: dict[str, dict] = {}
    id_names: dict[int, str] = {}
    for path, spec in places:
        name, group_id, kind = spec["name"], spec.get("id"), spec.get("type")
        known = by_name.setdefault(name, {"name": name})
        if group_id is not None:
            if id_names.get(group_id, name) != name:
                problems.append(Problem((*path, "id"), f"group id {group_id} is also group {id_names[group_id]!r}"))
            elif known.get("id", group_id) != group_id:
                problems.append(Problem((*path, "id"), f"group {name!r} has two ids: {known['id']} and {group_id}"))
            else:
                known["id"] = group_id
                id_names[group_id] = name
        if kind is not None:
            if known.get("type", kind) != kind:
                problems.append(Problem((*path, "type"), f"group {name!r} has two types: {known['type']} and {kind}"))
            known["type"] = kind
    next_id = max(id_names, default=0) + 1
    for group in by_name.values():
        if "id" not in group:
            group["id"] = next_id
            next_id += 1
        group.setdefault("type", "Static")
    return {name: {"id": g["id"], "name": name, "type": g["type"]} for name, g in by_name.items()}, problems


def _audience_problems(data: dict, refs: dict[str, str]) -> Iterator[Problem]:
    """Groups agree with themselves, categories are unique and known, unsubscribed emails parse, bots exist."""
    table, problems = _group_table(data)
    yield from problems
    group_ids = {g["id"] for g in table.values()}
    keys: set[str] = set()
    category_ids: set[int] = set()
    for index, category in enumerate(data.get("subscriptions", [])):
        if category["key"] in keys:
            yield Problem(("subscriptions", index, "key"), f"duplicate subscription category key {category['key']!r}")
        keys.add(category["key"])
        if "id" in category:
            if category["id"] in category_ids:
                yield Problem(("subscriptions", index, "id"), f"duplicate subscription category id {category['id']}")
            category_ids.add(category["id"])
        if "groupId" in category and category["groupId"] not in group_ids:
            yield Problem(("subscriptions", index, "groupId"), f"no group has the id {category['groupId']}")
    for index, contact in enumerate(data.get("contacts", [])):
        for k_index, key in enumerate(contact.get("subscriptions", [])):
            if key not in keys:
                yield Problem(("contacts", index, "subscriptions", k_index), f"unknown subscription category {key!r}: declare it in subscriptions")
    for index, email in enumerate(data.get("unsubscribed", [])):
        if len(email) > 255 or not EMAIL_FORM.match(email):
            yield Problem(("unsubscribed", index), f"not an email address: {email!r}")
    for ref in data.get("inactive_tokens", {}):
        if _resolve(refs, ref) is None:
            yield Problem(("inactive_tokens", ref), f"unknown bot {ref!r}: no bot has this username or app_uuid", on_key=True)


def _expect_problems(index: int, item: dict, refs: dict[str, str]) -> Iterator[Problem]:
    path = ("expect", index)
    subjects = [s for s in EXPECT_SUBJECTS if s in item]
    if len(subjects) != 1:
        yield Problem(path, f"an expectation names exactly one of {', '.join(EXPECT_SUBJECTS)} (found {len(subjects) or 'none'})")
        return
    subject = subjects[0]
    details = EXPECT_SUBJECTS[subject].details
    for key in item:
        if key != subject and key not in details:
            allowed = ", ".join(sorted(details)) or "nothing else"
            yield Problem((*path, key), f"{key!r} does not apply to {subject} expectations (allowed: {allowed})", on_key=True)
    if subject == "app" and _resolve(refs, item["app"]) is None:
        yield Problem((*path, "app"), f"unknown bot {item['app']!r}: no bot has this username or app_uuid")
    for key in EXPECT_SUBJECTS[subject].required:
        if key not in item:
            yield Problem(path, f"a {subject} expectation needs a {key}")
    yield from _bot_ref_problems(path, item.get("tokens", {}), refs)


def expectation_problems(items: object, bot_refs: dict[str, str]) -> list[str]:
    """Problems of an ``expect`` list sent on its own (to POST /_mock/verify), checked against known bots."""
    document = {"expect": _plain(items)}
    problems = schema_problems(document)
    if not problems:
        problems = [p for i, item in enumerate(document["expect"]) for p in _expect_problems(i, item, bot_refs)]
    return [f"{_dotted(p.path)}: {p.reason}" for p in problems]


def _bot_ref_problems(path: tuple, tokens: dict, refs: dict[str, str]) -> Iterator[Problem]:
    """Each key of a ``tokens`` mapping names a known bot, and no bot twice.

    A bot named twice (by username and by app_uuid, or in two spellings) would keep only the
    last list of the two, silently.
    """
    named: dict[str, str] = {}
    for ref in tokens:
        app_uuid = _resolve(refs, ref)
        if app_uuid is None:
            yield Problem((*path, "tokens", ref), f"unknown bot {ref!r}: no bot has this username or app_uuid", on_key=True)
        elif app_uuid in named:
            yield Problem((*path, "tokens", ref), f"bot {ref!r} is named twice: also as {named[app_uuid]!r}", on_key=True)
        else:
            named[app_uuid] = ref


def _resolve(refs: dict[str, str], ref: str) -> str | None:
    return refs.get(parse_app_uuid(ref) or "") or refs.get(ref.lstrip("@").lower())


def _generate_blocks(data: dict) -> list[dict]:
    blocks = data.get("generate", [])
    return [blocks] if isinstance(blocks, dict) else blocks


# -- normalization (the World's input) ------------------------------------------------------


def _normalize(data: dict) -> dict:
    bots = []
    refs: dict[str, str] = {}
    for bot in data.get("bots", []):
        app_uuid = parse_app_uuid(bot["app_uuid"])
        assert app_uuid is not None
        entry = {"app_uuid": app_uuid, "token": bot["token"], "username": bot["username"].lstrip("@")}
        if "first_name" in bot:
            entry["first_name"] = bot["first_name"]
        bots.append(entry)
        refs[app_uuid] = app_uuid
        refs[entry["username"].lower()] = app_uuid
    account = data.get("account", {})
    telegram = data.get("telegram", {})
    clicks = telegram.get("clicks", "never")
    scenario = {
        "name": data.get("name", ""),
        "description": data.get("description", ""),
        "account": {
            "api_keys": list(account.get("api_keys", [])),
            **{k: account[k] for k in ("organisation_name", "user_email", "org_id") if k in account},
        },
        "assumptions": dict(data.get("assumptions", {})),
        "limits": dict(data.get("limits", {})),
        "bots": bots,
        "contacts": _contacts(data.get("contacts", []), refs, data.get("contact_id_base", 1)),
        "generate": [_generate(block, refs) for block in _generate_blocks(data)],
        "telegram": {
            "default_chat_state": telegram.get("default_chat_state", "active"),
            "chats": dict(telegram.get("chats", {})),
            "clicks": {"mode": clicks} if isinstance(clicks, str) else {"mode": "probability", "seed": 0, **clicks, "probability": float(clicks["probability"])},
        },
        "faults": list(data.get("faults", [])),
        "webhooks": dict(data["webhooks"]) if "webhooks" in data else None,
        "expect": list(data.get("expect", [])),
        "events": [dict(e) for e in data.get("events", [])],
        "orders": [dict(o) for o in data.get("orders", [])],
    }
    for key in ("balance", "address_books"):
        if key in data:
            scenario[key] = data[key]
    _normalize_audience(data, scenario, refs)
    if "contact_id_base" in data:
        scenario["contact_id_base"] = data["contact_id_base"]
    if data.get("vendor_data"):
        scenario["vendor_data"] = dict(data["vendor_data"])
    return scenario


def _normalize_audience(data: dict, scenario: dict, refs: dict[str, str]) -> None:
    """Groups with their ids (on the contacts too), subscription categories, unsubscribed emails and
    inactive tokens, each only when the scenario has some."""
    groups, _ = _group_table(data)
    if groups:
        scenario["groups"] = list(groups.values())
        for contact, seed in zip(scenario["contacts"], data.get("contacts", []), strict=True):
            if "groups" in seed:
                contact["groups"] = [dict(groups[g if isinstance(g, str) else g["name"]]) for g in seed["groups"]]
    if data.get("subscriptions"):
        scenario["subscriptions"] = _categories(data["subscriptions"])
    if data.get("unsubscribed"):
        scenario["unsubscribed"] = list(data["unsubscribed"])
    if data.get("inactive_tokens"):
        scenario["inactive_tokens"] = {
            _resolve(refs, ref): [str(t) for t in tokens] for ref, tokens in data["inactive_tokens"].items()
        }


def _contacts(seeds: list[dict], refs: dict[str, str], id_base: int) -> list[dict]:
    next_id = id_base
    result = []
    for seed in seeds:
        contact_id = seed.get("id", next_id)
        next_id = max(next_id, contact_id + 1)
        contact: dict = {"id": contact_id, "channels": []}
        for kind, key in (("email", "email"), ("sms", "phone")):
            if key in seed:
                contact["channels"].append({"type": kind, "value": seed[key]})
        contact["channels"] += [{"type": c["type"], "value": c["value"]} for c in seed.get("channels", [])]
        for key, attr in TEXT_FIELDS.items():
            if key in seed:
                contact[attr] = seed[key]
        if "address" in seed:
            contact["address"] = dict(seed["address"])
        if "fields" in seed:
            contact["fields"] = [dict(f) for f in seed["fields"]]
        if "groups" in seed:
            contact["groups"] = [{"name": g} if isinstance(g, str) else dict(g) for g in seed["groups"]]
        if seed.get("subscriptions"):
            contact["subscriptions"] = list(dict.fromkeys(seed["subscriptions"]))
        if seed.get("deleted"):
            contact["deleted"] = True
        contact["tokens"] = {
            _resolve(refs, ref): list(dict.fromkeys(str(c) for c in chat_ids)) for ref, chat_ids in seed.get("tokens", {}).items()
        }
        result.append(contact)
    return result


def _categories(items: list[dict]) -> list[dict]:
    """Subscription categories with ids: given ones kept, the others counting on from the highest."""
    next_id = max((c["id"] for c in items if "id" in c), default=0) + 1
    result = []
    for item in items:
        category = {"id": item.get("id", next_id), "key": item["key"], "name": item.get("name", item["key"])}
        if "id" not in item:
            next_id += 1
        if "groupId" in item:
            category["groupId"] = item["groupId"]
        result.append(category)
    return result


def _generate(block: dict, refs: dict[str, str]) -> dict:
    result = dict(block)
    result["tokens"] = {
        _resolve(refs, ref): [patterns] if isinstance(patterns, str) else list(patterns)
        for ref, patterns in block.get("tokens", {}).items()
    }
    return result
