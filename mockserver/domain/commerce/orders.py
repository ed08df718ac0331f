"""Orders (``POST /v1/orders``): kept by ``externalOrderId``, so sending an order again updates it.

A body the vendor's shapes refuse (a missing required field, a wrong type, an unknown status)
is a 400 naming the field and keeps nothing. An order that fits them but names no contact
(no ``externalCustomerId``, ``email`` or ``phone``) is answered in ``failedOrders``, as the
vendor describes, while the others are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..contacts.book import ContactBook
from ..errors import Conflict, InvalidInput
from ..text import is_blank
from .checks import finite, moment

STATUSES = ("INITIALIZED", "IN_PROGRESS", "DELIVERED", "CANCELLED", "ABANDONED_SHOPPING_CART")
MAX_ORDERS = 1000
MAX_TEXT = 10_000
CURRENCY = re.compile(r"[A-Za-z]{3}")
TEXTS = (
    "externalCustomerId", "email", "phone", "firstName", "lastName", "restoreUrl", "statusDescription",
    "storeId", "source", "deliveryMethod", "paymentMethod", "deliveryAddress",
)
NUMBERS = ("shipping", "discount", "taxes")
ITEM_TEXTS = ("name", "category", "url", "imageUrl", "description")
# Whom an order is for: at least one of these, not blank.
CONTACT_KEYS = ("externalCustomerId", "email", "phone")


@dataclass
class Order:
    """An order as last sent, in the vendor's field names, with when it came and how often."""

    id: int
    fields: dict
    contact_id: int | None
    received_at: float
    updated_at: float
    updates: int = 0  # how many times it was sent again

    @property
    def external_order_id(self) -> str:
        return self.fields["externalOrderId"]

    @property
    def status(self) -> str:
        return self.fields["status"]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "order": dict(self.fields),
            "contactId": self.contact_id,
            "received_at": self.received_at,
            "updated_at": self.updated_at,
            "updates": self.updates,
        }


def _text(item: dict, key: str, where: str, *, required: bool = False) -> str | None:
    value = item.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"{where}.{key} is required")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{where}.{key} must be a string")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{where}.{key} is longer than {MAX_TEXT} characters")
    return value


def _number(item: dict, key: str, where: str, *, required: bool = False) -> float | int | None:
    value = item.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"{where}.{key} is required")
        return None
    return finite(value, f"{where}.{key}")


def _item(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where} must be an object")
    item: dict = {"externalItemId": _text(value, "externalItemId", where, required=True)}
    item["quantity"] = _number(value, "quantity", where, required=True)
    cost = _number(value, "cost", where)
    if cost is not None:
        item["cost"] = cost
    for key in ITEM_TEXTS:
        text = _text(value, key, where)
        if text is not None:
            item[key] = text
    return item


def parse_order(value: object, where: str) -> dict:
    """One order in the vendor's shape, with nulls left out and unknown keys dropped."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{where} must be an object")
    order: dict = {}
    external_id = _text(value, "externalOrderId", where, required=True)
    if is_blank(external_id or ""):
        raise InvalidInput(f"{where}.externalOrderId must not be blank")
    order["externalOrderId"] = external_id
    order["totalCost"] = _number(value, "totalCost", where, required=True)
    status = _text(value, "status", where, required=True)
    if status not in STATUSES:
        raise InvalidInput(f"{where}.status must be one of {', '.join(STATUSES)}, got {status!r}")
    order["status"] = status
    date = _text(value, "date", where, required=True)
    moment(date, f"{where}.date", offset_required=True)
    order["date"] = date
    currency = _text(value, "currency", where, required=True)
    if not CURRENCY.fullmatch(currency or ""):
        raise InvalidInput(f"{where}.currency must be a three-letter ISO 4217 code such as UAH, got {currency!r}")
    order["currency"] = currency
    for key in TEXTS:
        text = _text(value, key, where)
        if text is not None:
            order[key] = text
    for key in NUMBERS:
        number = _number(value, key, where)
        if number is not None:
            order[key] = number
    info = value.get("additionalInfo")
    if info is not None:
        if not isinstance(info, dict) or not all(isinstance(v, str) for v in info.values()):
            raise InvalidInput(f"{where}.additionalInfo must be an object of strings")
        order["additionalInfo"] = dict(info)
    items = value.get("items")
    if items is not None:
        if not isinstance(items, list):
            raise InvalidInput(f"{where}.items must be an array")
        order["items"] = [_item(item, f"{where}.items[{index}]") for index, item in enumerate(items)]
    return order


def parse_orders(body: object) -> tuple[list[dict], list[dict]]:
    """``{"orders": [...]}``: the orders to keep, and the failed ones (``{order, error}``)."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object: {\"orders\": [...]}")
    items = body.get("orders")
    if items is None:
        raise InvalidInput("orders is required: an array of orders")
    if not isinstance(items, list):
        raise InvalidInput("orders must be an array of orders")
    if len(items) > MAX_ORDERS:
        raise InvalidInput(f"Too many orders: {len(items)} (at most {MAX_ORDERS} per request)")
    kept, failed = [], []
    for index, item in enumerate(items):
        order = parse_order(item, f"orders[{index}]")
        if all(is_blank(order.get(key) or "") for key in CONTACT_KEYS):
            failed.append({"order": order, "error": "externalCustomerId, email or phone is required: whose order it is"})
        else:
            kept.append(order)
    return kept, failed


def order_contact(book: ContactBook, order: dict) -> int | None:
    """The live contact an order names, by externalCustomerId, then email, then phone."""
    for key in CONTACT_KEYS:
        value = order.get(key)
        if value and not is_blank(value):
            found = book.find(key, value)
            if found is not None:
                return found.id
    return None


class OrderBook:
    """Every order by externalOrderId, in the order they first came; at most ``capacity`` (``limits.orders``)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._by_external: dict[str, Order] = {}
        self.next_id = 1

    def __iter__(self):
        return iter(self._by_external.values())

    def __len__(self) -> int:
        return len(self._by_external)

    def put(self, order: Order) -> None:
        self._by_external[order.external_order_id] = order
        self.next_id = max(self.next_id, order.id + 1)

    def record(self, book: ContactBook, orders: list[dict], now: float) -> list[Order]:
        """Add or update every order, or none when the new ones would pass the bound."""
        new = {o["externalOrderId"] for o in orders} - self._by_external.keys()
        if len(self._by_external) + len(new) > self.capacity:
            raise Conflict(
                f"The emulator keeps at most {self.capacity} orders (limits.orders) and holds {len(self._by_external)}: "
                "clear them with DELETE /_mock/orders"
            )
        kept = []
        for fields in orders:
            known = self._by_external.get(fields["externalOrderId"])
            if known is None:
                known = Order(self.next_id, fields, order_contact(book, fields), now, now)
                self.put(known)
            else:
                known.fields, known.contact_id = fields, order_contact(book, fields)
                known.updated_at, known.updates = now, known.updates + 1
            kept.append(known)
        return kept

    def clear(self) -> int:
        removed = len(self._by_external)
        self._by_external.clear()
        return removed

    def search(
        self,
        status: str | None = None,
        external_order_id: str | None = None,
        external_customer_id: str | None = None,
        contact_id: int | None = None,
        since: int | None = None,
    ) -> list[Order]:
        """The orders that match every filter given, oldest first (``since``: ids above it)."""
        return [
            o for o in self._by_external.values()
            if (status is None or o.status == status)
            and (external_order_id is None or o.external_order_id == external_order_id)
            and (external_customer_id is None or o.fields.get("externalCustomerId") == external_customer_id)
            and (contact_id is None or o.contact_id == contact_id)
            and (since is None or o.id > since)
        ]
