"""The pure contact-update rules: parsing, merging, bulk matching, search."""

from __future__ import annotations

import pytest

from mockserver.domain.contacts.book import ContactBook, scan_index
from mockserver.domain.contacts.bulk import parse_bulk, run_bulk
from mockserver.domain.contacts.groups import Groups
from mockserver.domain.contacts.search import Criteria, search
from mockserver.domain.contacts.updates import add_or_update, parse_contact, update
from mockserver.domain.errors import InvalidInput


def book_with(*contacts: dict) -> ContactBook:
    book = ContactBook(id_base=1)
    for attributes in contacts:
        book.create(**attributes)
    return book


def test_parse_keeps_only_what_was_sent():
    data = parse_contact({"firstName": "A", "channels": [{"type": "telegrambot", "value": "9"}], "x": 1})
    assert data.attributes == {"first_name": "A"}
    assert data.channels == {}
    assert not data.address_sent and data.fields is None


def test_two_channels_of_a_type_are_fine_three_are_not():
    two = [{"type": "email", "value": "a@b.cd"}, {"type": "email", "value": "b@b.cd"}]
    assert parse_contact({"channels": two}).values("email") == ["a@b.cd", "b@b.cd"]
    with pytest.raises(InvalidInput, match="at most 2 channels of type email"):
        parse_contact({"channels": two + [{"type": "email", "value": "c@b.cd"}]})


def test_merge_replaces_sent_channel_types_only():
    book = book_with({"channels": [{"type": "email", "value": "a@b.cd"}, {"type": "sms", "value": "380501112233"}]})
    contact = book.get(1)
    update(book, contact, parse_contact({"channels": [{"type": "email", "value": "z@b.cd"}]}))
    assert contact.channels == [{"type": "sms", "value": "380501112233"}, {"type": "email", "value": "z@b.cd"}]
    assert book.find("email", "z@b.cd") is contact and book.find("email", "a@b.cd") is None
    assert book.index_snapshot() == scan_index(book)


def test_fields_merge_by_id_and_null_removes():
    book = book_with({"fields": [{"id": 1, "value": "a"}, {"id": 2, "value": "b"}]})
    contact = book.get(1)
    update(book, contact, parse_contact({"fields": [{"id": 1, "value": None}, {"id": 3, "value": "c"}]}))
    assert contact.fields == [{"id": 2, "value": "b"}, {"id": 3, "value": "c"}]


def test_add_or_update_ignores_soft_deleted_contacts():
    book = book_with({"channels": [{"type": "email", "value": "a@b.cd"}]})
    book.soft_delete(book.get(1))
    contact, created = add_or_update(book, parse_contact({"channels": [{"type": "email", "value": "A@b.cd"}]}, require_channels=True))
    assert created and contact.id == 2


def test_bulk_push_dedupe_sees_contacts_made_earlier_in_the_batch():
    book = book_with({"channels": [{"type": "mobilepush", "value": "p1"}]})
    request = parse_bulk(
        {
            "dedupeOn": "push",
            "contacts": [
                {"channels": [{"type": "mobilepush", "value": "p2"}], "firstName": "New"},
                {"channels": [{"type": "mobilepush", "value": "p2"}], "firstName": "Again"},
                {"channels": [{"type": "mobilepush", "value": "p1"}], "firstName": "Old"},
            ],
        },
        limit=10,
    )
    mapping, failures = run_bulk(book, Groups(), request)
    assert failures == []
    assert mapping == [("p2", 2), ("p2", 2), ("p1", 1)]
    assert book.get(2).first_name == "Again" and book.get(1).first_name == "Old"


def test_bulk_restores_a_deleted_contact_found_by_email():
    book = book_with({"channels": [{"type": "email", "value": "a@b.cd"}]})
    book.soft_delete(book.get(1))
    request = parse_bulk(
        {"dedupeOn": "email", "restoreDeleted": True, "contacts": [{"channels": [{"type": "email", "value": "A@B.cd"}]}]},
        limit=10,
    )
    assert run_bulk(book, Groups(), request) == ([("A@B.cd", 1)], [])
    assert not book.get(1, include_deleted=True).deleted
    assert book.index_snapshot() == scan_index(book)


def test_search_uses_the_index_then_filters_names():
    book = book_with(
        {"first_name": "Ann", "channels": [{"type": "email", "value": "x@y.zz"}]},
        {"first_name": "Bob", "channels": [{"type": "email", "value": "x@y.zz"}]},
    )
    assert [c.id for c in search(book, Criteria(email="X@y.zz", first_name="bob"))] == [2]
    assert [c.id for c in search(book, Criteria(email="X@y.zz"))] == [1, 2]
