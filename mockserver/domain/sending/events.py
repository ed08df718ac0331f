"""The activity event a delivery's change sends to the account's webhook, in eSputnik's field names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .activity import activity_time
from .statuses import CLICKED, FAILED, SENT

if TYPE_CHECKING:
    from .delivery import Delivery

# How activity webhooks name each change.
ACTIVITY_STATUS = {SENT: "DELIVERED", FAILED: "UNDELIVERED", CLICKED: "CLICKED"}


def activity_event(delivery: Delivery, status: str, now: float, reason: str | None, link: str | None) -> dict:
    """One event; ``externalRequestId`` only when the smartsend recipient carried one."""
    event = {
        "activityDateTime": activity_time(now),
        "activityStatus": ACTIVITY_STATUS[status],
        "messageId": delivery.message_id,
        "messageName": delivery.message_name,
        "messageTag": delivery.message_tag,
        "messageLanguageCode": delivery.message_language_code,
        "broadcastId": delivery.send_id,
        "requestId": delivery.request_id,
        "contactId": delivery.contact_id,
        "externalCustomerId": delivery.external_customer_id,
        "mediaType": "telegrambot",
        "telegrambot": delivery.chat_id,
        "clickEventLink": link,
        "statusDescription": reason,
        "statusData": {},
    }
    if delivery.external_request_id is not None:
        event["externalRequestId"] = delivery.external_request_id
    return event
