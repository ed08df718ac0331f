"""Groups (eSputnik's segments): one registry of ids, names and types that contacts point into.

A contact carries its groups as ``{"id", "name", "type"}`` objects, the shape the API shows;
this registry is where those ids come from, so that a scenario's group, a bulk import's
``groupNames``, ``contact/subscribe``'s ``groups`` and ``broadcast.groups`` all mean the same
group. Names are matched exactly (case included), as group names are labels a person typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import Conflict, InvalidInput, NotFound
from ..numbers import INT64_MAX, INT64_MIN, is_int
from .book import Contact, ContactBook
from .updates import is_blank

TYPES = ("Static", "Dynamic", "Combined")
STATIC = "Static"
MAX_GROUPS = 100_000
MAX_NAME = 255
MAX_ROWS = 500  # GET /v1/groups and /v1/group/{id}/contacts: the most rows a page holds


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    name: str
    type: str = STATIC

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "type": self.type}


class Groups:
    """Every group by id and by name; new static groups take the next id after the highest."""

    def __init__(self, groups: Iterable[Group] = ()) -> None:
        self._by_id: dict[int, Group] = {}
        self._by_name: dict[str, Group] = {}
        for group in groups:
            self.add(group)

    def __iter__(self) -> Iterator[Group]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, group_id: int) -> Group | None:
        return self._by_id.get(group_id)

    def named(self, name: str) -> Group | None:
        return self._by_name.get(name)

    def next_id(self) -> int:
        return max(self._by_id, default=0) + 1

    def add(self, group: Group) -> Group:
        """Register a group; a taken id or name raises ValueError (callers check first)."""
        if group.id in self._by_id or group.name in self._by_name:
            raise ValueError(f"group {group.id} {group.name!r} is already registered")
        if len(self._by_id) >= MAX_GROUPS:
            raise Conflict(f"The emulator holds at most {MAX_GROUPS} groups")
        self._by_id[group.id] = group
        self._by_name[group.name] = group
        return group

    def static(self, name: str) -> Group:
        """The group of a name, made as a new static group when there is none (bulk groupNames, subscribe)."""
        group = self._by_name.get(name)
        return group if group is not None else self.add(Group(self.next_id(), name))

    def room_for(self, names: Iterable[str]) -> None:
        """Conflict unless every new name of ``names`` can still be registered (checked before anything changes)."""
        new = {name for name in names if name not in self._by_name}
        if len(self._by_id) + len(new) > MAX_GROUPS:
            raise Conflict(f"The emulator holds at most {MAX_GROUPS} groups; this request would make {len(new)} more")

    def known(self, group_id: int) -> Group:
        group = self._by_id.get(group_id)
        if group is None:
            raise NotFound(f"Group with id={group_id} not found")
        return group

    def search(self, name: str | None) -> list[Group]:
        """Groups whose name contains ``name`` (case-insensitive), by id."""
        found = sorted(self._by_id.values(), key=lambda g: g.id)
        if name:
            wanted = name.casefold()
            found = [g for g in found if wanted in g.name.casefold()]
        return found


def member_ids(contact: Contact) -> set[int]:
    return {g["id"] for g in contact.groups if isinstance(g, dict) and isinstance(g.get("id"), int)}


def members(book: ContactBook, group_id: int, *, by_stamp: bool = False, ascending: bool = True) -> list[Contact]:
    """The live contacts of a group, by id or by when they last changed (``orderByTs``)."""
    found = [c for c in book.live() if group_id in member_ids(c)]
    found.sort(key=(lambda c: (c.stamp, c.id)) if by_stamp else (lambda c: c.id), reverse=not ascending)
    return found


# -- attach and detach ----------------------------------------------------------------

MAX_MODIFY = 500  # contacts per attach/detach request


def parse_modify(body: object) -> tuple[list[int], list[str]]:
    """``{contactIds: [...], externalCustomerIds: [...]}``: at least one contact, at most MAX_MODIFY."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object with contactIds or externalCustomerIds")
    ids = [] if body.get("contactIds") is None else body["contactIds"]
    externals = [] if body.get("externalCustomerIds") is None else body["externalCustomerIds"]
    if not isinstance(ids, list) or not all(is_int(i) and INT64_MIN <= i <= INT64_MAX for i in ids):
        raise InvalidInput("contactIds must be an array of contact ids (int64 integers)")
    if not isinstance(externals, list) or not all(isinstance(e, str) and not is_blank(e) for e in externals):
        raise InvalidInput("externalCustomerIds must be an array of non-empty strings")
    if not ids and not externals:
        raise InvalidInput("contactIds or externalCustomerIds is required: which contacts to change")
    if len(ids) + len(externals) > MAX_MODIFY:
        raise InvalidInput(f"Too many contacts: {len(ids) + len(externals)} (at most {MAX_MODIFY} per request)")
    return list(ids), list(externals)


def resolve_members(book: ContactBook, ids: list[int], externals: list[str]) -> list[Contact]:
    """The live contacts a request names, each once; NotFound names the first that is missing."""
    found: dict[int, Contact] = {}
    for contact_id in ids:
        contact = book.get(contact_id)
        if contact is None:
            raise NotFound(f"Contact with id='{contact_id}' not found")
        found.setdefault(contact.id, contact)
    for external in externals:
        holders = book.find_all("externalCustomerId", external)
        if not holders:
            raise NotFound(f"Contact with externalCustomerId='{external}' not found")
        for contact in holders:
            found.setdefault(contact.id, contact)
    return list(found.values())


def attach(book: ContactBook, group: Group, contacts: list[Contact]) -> int:
    """Put contacts into a static group; returns how many were not in it yet."""
    _static_only(group)
    added = 0
    for contact in contacts:
        if group.id not in member_ids(contact):
            book.update(contact, groups=[*contact.groups, group.as_dict()])
            added += 1
    return added


def detach(book: ContactBook, group: Group, contacts: list[Contact]) -> int:
    """Take contacts out of a static group; returns how many were in it."""
    _static_only(group)
    removed = 0
    for contact in contacts:
        if group.id in member_ids(contact):
            book.update(contact, groups=[g for g in contact.groups if g.get("id") != group.id])
            removed += 1
    return removed


def _static_only(group: Group) -> None:
    if group.type != STATIC:
        raise Conflict(f"Group {group.id} is {group.type}: its members follow its conditions, contacts are attached only to static groups")


def register(groups: Groups, spec: dict) -> Group:
    """The group a scenario names (``{name, id?, type?}``): the registered one of that name, else a new one
    (the loader has checked that ids, names and types agree)."""
    group = groups.named(spec["name"])
    if group is not None:
        return group
    return groups.add(Group(spec.get("id") or groups.next_id(), spec["name"], spec.get("type", STATIC)))
