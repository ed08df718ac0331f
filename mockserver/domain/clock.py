"""The one clock that every timestamp, mute, retry and webhook of the world reads."""

from __future__ import annotations

import time


class Clock:
    """Wall time plus an offset; it can be frozen and moved by hand.

    Tests control time through the control plane instead of sleeping, so every
    part of the emulator must ask this object for "now" and never ``time.time()``.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._frozen_at: float | None = None

    def now(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self) -> None:
        if self._frozen_at is None:
            self._frozen_at = self.now()

    def unfreeze(self) -> None:
        if self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds

    def set(self, timestamp: float) -> None:
        """Jump to an absolute time (used when restoring a snapshot)."""
        if self._frozen_at is not None:
            self._frozen_at = timestamp
        else:
            self._offset = timestamp - time.time()

    def snapshot(self) -> dict:
        """Offset and freeze point rather than "now", so a snapshot of a running clock is stable."""
        return {"frozen_at": self._frozen_at, "offset": self._offset}

    def restore(self, data: dict) -> None:
        self._frozen_at = None if data["frozen_at"] is None else float(data["frozen_at"])
        self._offset = float(data["offset"])

    def reset(self) -> None:
        self._offset = 0.0
        self._frozen_at = None
