"""``POST /v1/contact/subscribe``: a sign-up form's call, creating or updating a contact by its channels.

The contact is matched as ``POST /v1/contact`` matches it (a live contact holding one of its
emails, else phones); the request's groups are added (unknown names become static groups, as
bulk ``groupNames`` do) and its subscription categories joined. ``emailStatus`` says what
became of the email, deterministically:

- the email is unsubscribed: ``BLACKLISTED`` (the contact is still saved; sends stay refused);
- a new contact: ``NEED_CONFIRMATION`` (eSputnik creates subscribed contacts unconfirmed);
- an existing contact that already had the email: ``ALREADY_SUBSCRIBED``;
- an existing contact that gains the email (found by phone): ``SUBSCRIBED``.
With no email in the request there is no ``emailStatus``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidInput
from .book import EMAIL, Contact, ContactBook, normalize_email
from .groups import MAX_NAME, Groups
from .subscriptions import Subscriptions, Unsubscribed
from .updates import ContactData, add_or_update, find_existing, is_blank, parse_contact

MAX_GROUPS_PER_REQUEST = 100
MAX_FORM_TYPE = 255


@dataclass
class SubscribeRequest:
    contact: ContactData
    groups: list[str]
    subscriptions: list[str]
    form_type: str | None


@dataclass
class SubscribeResult:
    contact: Contact
    created: bool
    email_status: str | None

    def as_dict(self) -> dict:
        data: dict = {"id": self.contact.id}
        if self.email_status is not None:
            data["emailStatus"] = self.email_status
        data["new"] = self.created
        return data


def parse_subscribe(body: object, subscriptions: Subscriptions) -> SubscribeRequest:
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object with a 'contact'")
    if body.get("contact") is None:
        raise InvalidInput("Field 'contact' is required")
    contact = parse_contact(body["contact"], where="contact", require_channels=True)
    groups = [] if body.get("groups") is None else body["groups"]
    if not isinstance(groups, list) or not all(isinstance(g, str) and not is_blank(g) and len(g) <= MAX_NAME for g in groups):
        raise InvalidInput(f"groups must be an array of group names (non-empty strings of at most {MAX_NAME} characters)")
    if len(groups) > MAX_GROUPS_PER_REQUEST:
        raise InvalidInput(f"Too many groups: {len(groups)} (at most {MAX_GROUPS_PER_REQUEST} per request)")
    keys = subscriptions.check_keys([] if body.get("subscriptions") is None else body["subscriptions"], "subscriptions")
    form_type = body.get("formType")
    if form_type is not None and (not isinstance(form_type, str) or len(form_type) > MAX_FORM_TYPE):
        raise InvalidInput(f"formType must be a string of at most {MAX_FORM_TYPE} characters")
    return SubscribeRequest(contact, list(dict.fromkeys(groups)), keys, form_type)


def subscribe(
    book: ContactBook, groups: Groups, subscriptions: Subscriptions, unsubscribed: Unsubscribed, request: SubscribeRequest
) -> SubscribeResult:
    groups.room_for(request.groups)  # the one refusal left: checked before anything changes
    emails = request.contact.values(EMAIL)
    existing = find_existing(book, request.contact)
    before = {normalize_email(e) for e in existing.emails} if existing is not None else set()
    contact, created = add_or_update(book, request.contact)
    if request.groups:
        held = {g.get("id") for g in contact.groups}
        added = [groups.static(name).as_dict() for name in request.groups]
        book.update(contact, groups=[*contact.groups, *(g for g in added if g["id"] not in held)])
    subscriptions.add(contact.id, request.subscriptions)
    status = None
    if emails:
        if any(e in unsubscribed for e in emails):
            status = "BLACKLISTED"
        elif created:
            status = "NEED_CONFIRMATION"
        else:
            status = "ALREADY_SUBSCRIBED" if {normalize_email(e) for e in emails} <= before else "SUBSCRIBED"
    return SubscribeResult(contact, created, status)
