"""The states of a delivery, and how the eSputnik API names them (a leaf: every sending module reads it)."""

from __future__ import annotations

PENDING = "PENDING"
SENT = "SENT"
FAILED = "FAILED"
CLICKED = "CLICKED"

# How GET /v1/message/status names each state (PENDING is our assumption: eSputnik's IN_QUEUE).
API_STATUS = {PENDING: "IN_QUEUE", SENT: "DELIVERED", FAILED: "BOT_SEND_ERROR", CLICKED: "CLICKED"}
