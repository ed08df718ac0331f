"""Subscriptions: ``POST /v1/contact/subscribe``, a contact's categories (``GET|PUT /v1/contact/{id}/subscriptions``),
the categories (``GET /v1/subscriptions``) and the unsubscribed emails (``POST /v1/emails/unsubscribed/add|delete``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.contacts.subscriptions import Category
from ..domain.errors import DomainError
from ..responses import api_json
from .common import empty_answer, note, refusal, wrapper_list
from .contacts import contact_id, render_time


def render_category(category: Category, *, count: int | None = None) -> dict:
    """A category as a contact's list shows it, or (with ``count``) as the account's list does."""
    data: dict = {"id": category.id, "key": category.key}
    if category.group_id is not None:
        data["groupId"] = category.group_id
    if count is not None:
        data["contactsCount"] = count
        data["createdDate"] = render_time(category.created_at)
        data["updatedDate"] = render_time(category.updated_at)
    data["name"] = category.name
    return data


async def subscribe(request: Request) -> Response:
    world = request.app.state.emulator.world
    try:
        result = world.subscribe(json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    note(request, "contactId", result.contact.id)
    note(request, "created", result.created)
    return api_json(result.as_dict())


async def contact_subscriptions(request: Request) -> Response:
    world = request.app.state.emulator.world
    try:
        cid = contact_id(request)
        if request.method == "GET":
            return api_json(wrapper_list([render_category(c) for c in world.contact_subscriptions(cid)], world))
        keys = world.set_contact_subscriptions(cid, json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    note(request, "subscriptions", keys)
    return empty_answer(request)


async def categories(request: Request) -> Response:
    subscriptions = request.app.state.emulator.world.subscriptions
    return api_json([render_category(c, count=subscriptions.count(c.key)) for c in subscriptions])


def unsubscribed(add: bool):
    async def handle(request: Request) -> Response:
        world = request.app.state.emulator.world
        try:
            body = json_body(request)
            changed = world.unsubscribe_emails(body) if add else world.resubscribe_emails(body)
        except (BodyError, DomainError) as exc:
            return refusal(exc)
        note(request, "added" if add else "removed", changed)
        return empty_answer(request)

    return handle


routes = [
    Route("/api/v1/contact/subscribe", subscribe, methods=["POST"]),
    Route("/api/v1/contact/{id}/subscriptions", contact_subscriptions, methods=["GET", "PUT"]),
    Route("/api/v1/subscriptions", categories, methods=["GET"]),
    Route("/api/v1/emails/unsubscribed/add", unsubscribed(add=True), methods=["POST"]),
    Route("/api/v1/emails/unsubscribed/delete", unsubscribed(add=False), methods=["POST"]),
]
