"""Read and check a scenario file; the World only ever sees the normalized result."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import yaml

from ..domain.apps import BOT_TOKEN, parse_app_uuid
from ..domain.telegram import CHAT_STATES
from ..domain.world import DEFAULT_ASSUMPTIONS, Limits

ASSUMPTION_CHOICES = {
    "unknown_contact_id": ("create", "reject"),
    "single_item_lists": ("object", "array"),
}
# The limits a scenario may set: the fields of the World's Limits, so the two cannot drift apart.
LIMIT_NAMES = tuple(f.name for f in fields(Limits))
CONTACT_TEXT_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "externalCustomerId": "external_customer_id",
    "contactKey": "contact_key",
    "languageCode": "language_code",
    "timeZone": "time_zone",
}


class ScenarioError(Exception):
    """A scenario that cannot be used; the message names the file, place and reason."""


def load_scenario(path: str | Path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file: {exc}") from None
    return parse_scenario(text, source=str(path))


def parse_scenario(text: str, source: str = "<scenario>") -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{where}: invalid YAML: {reason}") from None
    if data is None:
        data = {}
    try:
        return normalize_scenario(data)
    except ValueError as exc:
        raise ScenarioError(f"{source}: {exc}") from None


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def normalize_scenario(data: object) -> dict:
    """Check a scenario's structure and turn it into the World's input; raise ValueError naming the place."""
    _require(isinstance(data, dict), "a scenario must be a mapping")
    account = data.get("account") or {}
    _require(isinstance(account, dict), "account: must be a mapping")
    keys = account.get("api_keys", [])
    _require(
        isinstance(keys, list) and all(isinstance(k, str) and k for k in keys),
        "account.api_keys: must be a list of non-empty strings",
    )
    assumptions = dict(data.get("assumptions") or {})
    for name, value in assumptions.items():
        _require(name in DEFAULT_ASSUMPTIONS, f"assumptions.{name}: unknown assumption")
        _require(
            value in ASSUMPTION_CHOICES[name],
            f"assumptions.{name}: must be one of {', '.join(ASSUMPTION_CHOICES[name])}",
        )
    bots = [_bot(i, bot) for i, bot in enumerate(data.get("bots") or [])]
    refs = {}
    for bot in bots:
        refs[bot["app_uuid"]] = bot["app_uuid"]
        refs[bot["username"].lower()] = bot["app_uuid"]
    id_base = data.get("contact_id_base", 1)
    _require(
        isinstance(id_base, int) and not isinstance(id_base, bool) and id_base >= 1,
        "contact_id_base: must be a positive integer",
    )
    contacts = _contacts(data.get("contacts") or [], refs, id_base)
    telegram = data.get("telegram") or {}
    _require(isinstance(telegram, dict), "telegram: must be a mapping")
    chats = {}
    for chat_id, chat in (telegram.get("chats") or {}).items():
        state = chat if isinstance(chat, str) else (chat or {}).get("state", "active")
        _require(state in CHAT_STATES, f"telegram.chats.{chat_id}: unknown state {state!r}")
        chats[str(chat_id)] = chat
    return {
        "name": data.get("name", ""),
        "description": data.get("description", ""),
        "account": {
            "api_keys": keys,
            **{k: account[k] for k in ("organisation_name", "user_email", "org_id") if k in account},
        },
        "assumptions": assumptions,
        "limits": _limits(data.get("limits") or {}),
        "bots": bots,
        "contact_id_base": id_base,
        "contacts": contacts,
        "telegram": {
            "default_chat_state": telegram.get("default_chat_state", "active"),
            "chats": chats,
            "clicks": _clicks(telegram.get("clicks", "never")),
        },
        "webhooks": _webhooks(data.get("webhooks")),
    }


def _limits(limits: object) -> dict:
    _require(isinstance(limits, dict), "limits: must be a mapping")
    for name, value in limits.items():
        _require(name in LIMIT_NAMES, f"limits.{name}: unknown limit; known: {', '.join(LIMIT_NAMES)}")
        _require(
            isinstance(value, int) and not isinstance(value, bool) and value >= 1,
            f"limits.{name}: must be a positive integer",
        )
    return dict(limits)


def _clicks(spec: object) -> dict:
    """``telegram.clicks``: ``always``, ``never``, or ``{probability: 0..1, seed: int}``."""
    if spec in ("always", "never"):
        return {"mode": spec}
    _require(isinstance(spec, dict), "telegram.clicks: must be always, never or {probability, seed}")
    probability = spec.get("probability")
    _require(
        isinstance(probability, (int, float)) and not isinstance(probability, bool) and 0 <= probability <= 1,
        "telegram.clicks.probability: must be a number from 0 to 1",
    )
    seed = spec.get("seed", 0)
    _require(isinstance(seed, int) and not isinstance(seed, bool), "telegram.clicks.seed: must be an integer")
    return {"mode": "probability", "probability": float(probability), "seed": seed}


def _webhooks(spec: object) -> dict | None:
    """``webhooks: {url, username, password}``: where activity events are POSTed (optional Basic auth)."""
    if spec is None:
        return None
    _require(isinstance(spec, dict), "webhooks: must be a mapping with url, username, password")
    url = spec.get("url")
    _require(
        isinstance(url, str) and url.startswith(("http://", "https://")),
        "webhooks.url: must be an http:// or https:// URL",
    )
    result = {"url": url}
    for key in ("username", "password"):
        if spec.get(key) is not None:
            _require(isinstance(spec[key], str), f"webhooks.{key}: must be a string")
            result[key] = spec[key]
    return result


def _bot(index: int, bot: object) -> dict:
    where = f"bots[{index}]"
    _require(isinstance(bot, dict), f"{where}: must be a mapping")
    app_uuid = parse_app_uuid(str(bot.get("app_uuid", "")))
    _require(app_uuid is not None, f"{where}.app_uuid: must be a UUID")
    token = bot.get("token")
    _require(isinstance(token, str) and bool(BOT_TOKEN.match(token)), f"{where}.token: must look like <digits>:<35 characters>")
    username = bot.get("username")
    _require(isinstance(username, str) and bool(username), f"{where}.username: must be a non-empty string")
    result = {"app_uuid": app_uuid, "token": token, "username": username.lstrip("@")}
    if "first_name" in bot:
        result["first_name"] = str(bot["first_name"])
    return result


def _contacts(seeds: object, refs: dict[str, str], id_base: int) -> list[dict]:
    _require(isinstance(seeds, list), "contacts: must be a list")
    next_id = id_base
    taken: set[int] = set()
    result = []
    for index, seed in enumerate(seeds):
        where = f"contacts[{index}]"
        _require(isinstance(seed, dict), f"{where}: must be a mapping")
        contact_id = seed.get("id", next_id)
        _require(isinstance(contact_id, int) and not isinstance(contact_id, bool), f"{where}.id: must be an integer")
        _require(contact_id not in taken, f"{where}.id: duplicate contact id {contact_id}")
        taken.add(contact_id)
        next_id = max(next_id, contact_id + 1)
        contact: dict = {"id": contact_id, "channels": []}
        for kind, key in (("email", "email"), ("sms", "phone")):
            if key in seed:
                _require(isinstance(seed[key], str), f"{where}.{key}: must be a string")
                contact["channels"].append({"type": kind, "value": seed[key]})
        for key, attr in CONTACT_TEXT_FIELDS.items():
            if key in seed:
                _require(isinstance(seed[key], str), f"{where}.{key}: must be a string")
                contact[attr] = seed[key]
        if seed.get("deleted"):
            contact["deleted"] = True
        tokens = {}
        for ref, chat_ids in (seed.get("tokens") or {}).items():
            app_uuid = refs.get(str(ref).lower()) or refs.get(parse_app_uuid(str(ref)) or "")
            _require(app_uuid is not None, f"{where}.tokens.{ref}: no bot with this username or app_uuid")
            _require(isinstance(chat_ids, list), f"{where}.tokens.{ref}: must be a list of chat ids")
            tokens[app_uuid] = [str(c) for c in chat_ids]
        contact["tokens"] = tokens
        result.append(contact)
    return result
