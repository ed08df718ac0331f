"""The account's balance and address books in the snapshot: ``settings.account.balance`` and
``settings.account.address_books``, what GET /v1/balance and GET /v1/addressbooks answer.

They are checked by the shape the scenario schema gives them (``BALANCE`` and ``ADDRESS_BOOK`` in
mockserver/scenario/schema.py), so whatever a scenario sets survives GET → PUT /_mock/state, and
by nothing more: every key is optional, as in a scenario. A field's id is any integer, as the
contacts' field ids the default catalog lists are. Left out, the balance is the default one (a
partial balance keeps the defaults for the keys it leaves out) and the address books are the
default catalog with no fields.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from ..contacts.catalogs import FIELD_TYPES, MAX_BOOKS, MAX_FIELDS, MAX_GROUPS, MAX_VALUES, address_books
from ..numbers import INT32_MAX, INT32_MIN
from ..settings import DEFAULT_BALANCE, MAX_BONUS, MAX_SENDERS, Account
from .checks import is_int, listing, mapping, need, number, one_of

WHERE = "settings.account"


def dump_balance(account: Account) -> dict:
    return copy.deepcopy(account.balance)


def dump_address_books(account: Account) -> list[dict]:
    return copy.deepcopy(account.address_books)


# -- the checks --------------------------------------------------------------------------

Check = Callable[[object, str], None]


def _keys(data: dict, checks: dict[str, Check], where: str) -> None:
    """Each key of ``data`` is one ``checks`` knows, and passes its check."""
    unknown = sorted(str(key) for key in set(data) - set(checks))
    need(not unknown, where, f"unknown keys: {', '.join(unknown)}")
    for key, value in data.items():
        checks[key](value, f"{where}.{key}")


def _text(value: object, where: str) -> None:
    need(isinstance(value, str), where, "must be a string")


def _number(value: object, where: str) -> None:
    need(number(value), where, "must be a number")


def _boolean(value: object, where: str) -> None:
    need(isinstance(value, bool), where, "must be true or false")


def _integer(value: object, where: str) -> None:
    need(is_int(value), where, "must be an integer")


def _int32(value: object, where: str) -> None:
    need(is_int(value) and INT32_MIN <= value <= INT32_MAX, where, f"must be an integer from {INT32_MIN} to {INT32_MAX}")


def _bonus(value: object, where: str) -> None:
    need(is_int(value) and 0 <= value <= MAX_BONUS, where, f"must be an integer from 0 to {MAX_BONUS}")


def _field_type(value: object, where: str) -> None:
    one_of(value, FIELD_TYPES, where)


def _list(value: object, where: str, most: int, each: Check) -> None:
    items = listing(value, where)
    need(len(items) <= most, where, f"must hold at most {most} items")
    for index, item in enumerate(items):
        each(item, f"{where}[{index}]")


def _object(checks: dict[str, Check]) -> Check:
    return lambda value, where: _keys(mapping(value, where), checks, where)


def _list_of(most: int, each: Check) -> Check:
    return lambda value, where: _list(value, where, most, each)


def _senders(value: object, where: str) -> None:
    senders = mapping(value, where)
    need(len(senders) <= MAX_SENDERS, where, f"must hold at most {MAX_SENDERS} senders")
    for name, reserved in senders.items():
        _list(reserved, f"{where}.{name}", MAX_SENDERS, RESERVED)


RESERVED = _object({"senderId": _int32, "balance": _number, "senderName": _text})
BALANCE = _object(
    {
        "currentBalance": _number,
        "creditLimit": _number,
        "currency": _text,
        "bonusEmails": _bonus,
        "bonusSmses": _bonus,
        "sendersReservedBalances": _senders,
    }
)
DESCRIPTION = _object(
    {
        "type": _field_type,
        "allowedValues": _object({"possibleValues": _list_of(MAX_VALUES, _text), "minValue": _int32, "maxValue": _int32}),
        "required": _boolean,
        "readonly": _boolean,
    }
)
FIELD = _object({"id": _integer, "name": _text, "fieldKey": _text, "description": DESCRIPTION})
GROUP = _object({"name": _text, "profileKey": _text, "fields": _list_of(MAX_FIELDS, FIELD)})
BOOK = _object({"addressBookId": _int32, "name": _text, "fieldGroups": _list_of(MAX_GROUPS, GROUP)})


def load_balance(account: dict) -> dict:
    """The balance of a snapshot's ``settings.account``, checked: its keys over the defaults."""
    data = account.get("balance", {})
    BALANCE(data, f"{WHERE}.balance")
    return copy.deepcopy({**DEFAULT_BALANCE, **data})


def load_address_books(account: dict) -> list[dict]:
    """The address books of a snapshot's ``settings.account``, checked; the default catalog when left out."""
    if "address_books" not in account:
        return address_books({})
    data = account["address_books"]
    _list(data, f"{WHERE}.address_books", MAX_BOOKS, BOOK)
    return copy.deepcopy(data)
