"""The world as the control plane shows it: the snapshot, which PUT /_mock/state takes back as is."""

from __future__ import annotations

from ..domain.world import World


def render_state(world: World) -> dict:
    return world.snapshot()
