"""The world as the control plane shows it: plain JSON that tests can compare."""

from __future__ import annotations

from ..domain.contacts import Contact
from ..domain.world import World


def render_contact(contact: Contact) -> dict:
    emails, phones = contact.emails, contact.phones
    data = {
        "id": contact.id,
        "externalCustomerId": contact.external_customer_id,
        "email": emails[0] if emails else None,
        "phone": phones[0] if phones else None,
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "channels": contact.channels,
        "tokens": {app: list(tokens) for app, tokens in contact.tokens.items()},
        "deleted": contact.deleted,
    }
    return data


def render_state(world: World) -> dict:
    now = world.clock.now()
    return {
        "apps": [
            {
                "app_uuid": app.app_uuid,
                "username": app.username,
                "subscribers": world.contacts.subscribers(app.app_uuid),
                "mutes": {token: until for token, until in app.mutes.items() if until > now},
            }
            for app in world.apps
        ],
        "contacts": [render_contact(c) for c in world.contacts],
        "telegram": {
            "default_chat_state": world.telegram.default_state,
            "chats": {
                chat.id: {"state": chat.state, "messages": len(chat.messages)}
                for chat in world.telegram.chats.values()
            },
            "updates": {app_uuid: inbox.summary() for app_uuid, inbox in world.bots.inboxes.items()},
        },
        "messages": [message.as_dict() for message in world.messages],
        "deliveries": [delivery.as_dict() for delivery in world.deliveries],
        "token_removals": list(world.deliveries.token_removals),
        "webhooks": world.outbox.describe(),
    }
