"""What the contacts API tests share: the world as the API and the control plane show it."""

from __future__ import annotations

APP_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
ESPUTNIK_JSON = "application/json;charset=UTF-8"


async def snapshot(client) -> tuple:
    """Everything a bad request must leave alone: the control plane's state and every live contact in full."""
    state = (await client.get("/_mock/state")).json()
    live = await client.get("/api/v1/contacts")
    return state, live.json(), live.headers["TotalCount"]


async def contact(client, contact_id: int):
    return await client.get(f"/api/v1/contact/{contact_id}")


def state_contact(state: dict, contact_id: int) -> dict | None:
    return next((c for c in state["contacts"] if c["id"] == contact_id), None)
