"""The state file behind ``--state-file``: a world snapshot written atomically, read strictly.

Writing goes to a temporary file in the same directory, flushed to disk, then renamed
over the old one, so a crash leaves either the old state or the new, never half of one.
A file that cannot be read back is refused, never silently replaced.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import orjson


class StateFileError(Exception):
    """A state file that exists but cannot be used; the message says which and why."""


def save_state(path: Path, snapshot: dict) -> None:
    data = orjson.dumps(snapshot, option=orjson.OPT_NON_STR_KEYS)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp makes the file private (0600); keep the old file's mode, or the usual 0644.
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def read_state(path: Path) -> dict | None:
    """The snapshot stored at ``path``; None when there is no file yet."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateFileError(f"state file {path} cannot be read: {exc.strerror or exc}") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StateFileError(
            f"state file {path} is damaged (not JSON: {exc}); move it away or delete it to start afresh"
        ) from None
    if not isinstance(data, dict):
        raise StateFileError(f"state file {path} is damaged (not a snapshot object); move it away or delete it")
    return data
