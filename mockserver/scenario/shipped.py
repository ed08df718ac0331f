"""The scenarios that ship with mockserver, found by name: ``mockserver --scenario blocked_user``.

They live in the repository's ``scenarios/`` folder; an installed wheel carries them as
``mockserver/shipped/`` (see pyproject.toml), a source checkout or editable install reads
the folder itself.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
PLACES = (_PACKAGE / "shipped", _PACKAGE.parent / "scenarios")


def shipped_folder() -> Path | None:
    return next((place for place in PLACES if place.is_dir()), None)


def shipped_names() -> list[str]:
    folder = shipped_folder()
    return sorted(path.stem for path in folder.glob("*.yaml")) if folder else []


def find_scenario(name: str | Path) -> Path:
    """``name`` itself when it is a file (or looks like a path), else the shipped scenario of that name."""
    path = Path(name)
    if path.exists() or "/" in str(name) or os.sep in str(name):
        return path
    folder = shipped_folder()
    if folder is not None:
        for candidate in (folder / path.name, folder / f"{path.name}.yaml"):
            if candidate.is_file():
                return candidate
    return path
