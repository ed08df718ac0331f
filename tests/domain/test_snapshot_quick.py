"""The quick contact check of a restore takes exactly what the full check takes, and builds the same contact.

``quick_contact`` is the fast path of PUT /_mock/state: it must never accept an item that
``load_contact`` refuses (or the restore would take a damaged snapshot), and what it builds
must be what ``load_contact`` builds (or the round trip would not be exact).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.domain.contacts.book import Contact, ContactBook
from mockserver.domain.errors import InvalidInput
from mockserver.domain.snapshot.core import CONTACT_KEYS, contact_row, dump_contact, load_contact, quick_contact

APP = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def item(**changes) -> dict:
    contact = Contact(
        id=7, first_name="Olena", channels=[{"type": "email", "value": "o@x.io"}, {"type": "sms", "value": "+380501"}],
        fields=[{"id": 1, "value": "a"}], groups=[{"id": 1, "name": "VIP", "type": "Static"}],
        address={"town": "Kyiv"}, tokens={APP: ["111", "222"]}, stamp=3,
    )
    data = dump_contact(contact)
    data.update(changes)
    return data


def slow(data: object) -> dict | None:
    try:
        return dump_contact(load_contact(data, "contacts[0]"))
    except InvalidInput:
        return None


def test_a_written_contact_takes_the_quick_path_and_comes_out_the_same():
    data = item()
    assert tuple(data) == CONTACT_KEYS
    quick = quick_contact(data)
    assert quick is not None and dump_contact(quick) == slow(data) == data


def test_the_quick_path_copies_what_it_takes():
    data = item()
    contact = quick_contact(data)
    data["channels"][0]["value"] = "changed"
    data["tokens"][APP].append("333")
    assert contact.channels[0]["value"] == "o@x.io" and contact.tokens[APP] == ["111", "222"]


DAMAGE = [
    {"id": "7"}, {"id": True}, {"id": None}, {"firstName": 5}, {"lastName": []}, {"externalCustomerId": 1.5},
    {"contactKey": {}}, {"languageCode": False}, {"timeZone": 0}, {"email": 1}, {"phone": ["x"]},
    {"channels": {}}, {"channels": [1]}, {"channels": [{"type": 1, "value": "x"}]}, {"channels": [{"type": "email"}]},
    {"address": []}, {"address": "Kyiv"}, {"fields": {}}, {"fields": [1]}, {"groups": "VIP"}, {"groups": [None]},
    {"tokens": []}, {"tokens": {APP: "111"}}, {"tokens": {APP: [111]}}, {"tokens": {APP: ["1", "1"]}},
    {"tokens": {APP: [None]}}, {"deleted": 1}, {"deleted": "no"}, {"deleted": True}, {"stamp": -1}, {"stamp": 1.0},
    {"stamp": False},
]


@pytest.mark.parametrize("changes", DAMAGE, ids=[repr(c) for c in DAMAGE])
def test_each_kind_of_damage_leaves_the_quick_path_and_the_full_check_refuses_it(changes):
    data = item(**changes)
    assert quick_contact(data) is None
    assert slow(data) is None


@pytest.mark.parametrize("data", [item(deleted=True, tokens={}), item(deleted=True, tokens={APP: []}), item(tokens={APP: []})])
def test_what_the_full_check_takes_the_quick_path_takes_alike(data):
    quick = quick_contact(data)
    assert quick is not None and dump_contact(quick) == slow(data)


def test_items_in_another_shape_go_to_the_full_check():
    data = item()
    del data["email"]  # a derived key left out: the full check takes it
    assert quick_contact(data) is None and slow(data) is not None
    reordered = dict(reversed(list(item().items())))
    assert quick_contact(reordered) is None and slow(reordered) == item()
    assert quick_contact({**item(), "extra": 1}) is None and slow({**item(), "extra": 1}) == item()
    assert quick_contact([item()]) is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(key=st.sampled_from(CONTACT_KEYS), value=JSON, inner=st.sampled_from(["channels", "tokens", "fields", "groups"]), inner_value=JSON)
def test_quick_never_takes_what_the_full_check_refuses_and_builds_the_same(key, value, inner, inner_value):
    for data in (item(**{key: value}), _inner(item(), inner, inner_value)):
        quick = quick_contact(data)
        expected = slow(data)
        if quick is not None:
            assert expected is not None and dump_contact(quick) == expected


def _inner(data: dict, key: str, value: object) -> dict:
    """Damage one element inside a list or mapping of the item."""
    if key == "tokens":
        data["tokens"] = {APP: [value, "1"]}
    else:
        data[key] = [data[key][0], value] if data[key] else [value]
    return data


def test_add_all_builds_the_same_book_as_add():
    contacts = [quick_contact(item(id=i, stamp=0 if i % 3 else i, externalCustomerId=f"C{i % 4}")) for i in range(1, 40)]
    one, many = ContactBook(), ContactBook()
    for contact in contacts:
        one.add(contact_copy(contact))
    many.add_all(contact_copy(c) for c in contacts)
    assert one.index_snapshot() == many.index_snapshot()
    assert (one.next_id, one.stamp) == (many.next_id, many.stamp)
    assert [contact_row(c) for c in one] == [contact_row(c) for c in many]
    assert one.subscribers(APP) == many.subscribers(APP) == 2
    with pytest.raises(ValueError):
        many.add_all([contact_copy(contacts[0])])


def contact_copy(contact: Contact | None) -> Contact:
    assert contact is not None
    return load_contact(dump_contact(contact), "x")
