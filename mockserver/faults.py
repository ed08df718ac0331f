"""Fault rules: which requests go wrong, and how (status, body, headers, delay, dropped connection).

A rule matches on method, a path glob and a body substring; it applies ``times`` times
(absent: forever), each time with its ``probability``, drawn from its own seeded RNG so
that a run can be repeated exactly. Rules are checked in the order they were added.
"""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field
from typing import Any, cast

import jsonschema
import orjson

from .scenario.bounds import MAX_FAULTS
from .scenario.schema import FAULT

_VALIDATOR = jsonschema.Draft202012Validator(FAULT)
# The JSON size of one rule: with MAX_FAULTS rules, at most 64 MiB of canned answers.
MAX_FAULT_BYTES = 64 * 1024


class FaultSpecError(ValueError):
    """A fault body that does not fit the schema; the message names the field."""


class TooManyFaults(Exception):
    """The book already holds ``MAX_FAULTS`` rules."""


@dataclass
class Fault:
    id: str
    spec: dict
    method: str | None
    path: str | None
    body_contains: bytes | None
    action: dict
    remaining: int | None
    probability: float
    rng: random.Random
    hits: int = 0

    def matches(self, method: str, path: str, body: bytes) -> bool:
        if self.method is not None and method != self.method:
            return False
        if self.path is not None and not fnmatch.fnmatchcase(path, self.path):
            return False
        if self.body_contains is not None and self.body_contains not in body:
            return False
        return True

    def as_dict(self) -> dict:
        return {**self.spec, "id": self.id, "hits": self.hits, "remaining": self.remaining}


def check_fault(spec: object) -> dict:
    """The spec if it is a valid rule, else FaultSpecError naming the first problem."""
    errors = sorted(_VALIDATOR.iter_errors(spec), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = errors[0]
        where = ".".join(map(str, error.absolute_path)) or "fault"
        message = error.schema.get("x-message") if isinstance(error.schema, dict) else None
        raise FaultSpecError(f"{where}: {message or error.message}")
    size = len(orjson.dumps(spec))
    if size > MAX_FAULT_BYTES:
        raise FaultSpecError(f"fault: a rule takes at most {MAX_FAULT_BYTES} bytes as JSON, this one {size}")
    return cast(dict, spec)  # the schema's top level is an object


@dataclass
class FaultBook:
    faults: list[Fault] = field(default_factory=list)
    _next: int = 1

    def add(self, spec: dict) -> Fault:
        if len(self.faults) >= MAX_FAULTS:
            raise TooManyFaults(
                f"there are already {MAX_FAULTS} fault rules, the most the emulator holds: "
                "remove some (DELETE /_mock/faults/{id}) or clear them (DELETE /_mock/faults)"
            )
        spec = check_fault(spec)
        match = spec.get("match", {})
        fault = Fault(
            id=f"f{self._next}",
            spec=spec,
            method=match["method"].upper() if "method" in match else None,
            path=match.get("path"),
            body_contains=match["body_contains"].encode() if "body_contains" in match else None,
            action=spec["action"],
            remaining=spec.get("times"),
            probability=spec.get("probability", 1.0),
            rng=random.Random(spec.get("seed", 0)),
        )
        self._next += 1
        self.faults.append(fault)
        return fault

    def remove(self, fault_id: str) -> bool:
        before = len(self.faults)
        self.faults = [f for f in self.faults if f.id != fault_id]
        return len(self.faults) != before

    def clear(self) -> None:
        self.faults = []

    def reset(self, specs: list[dict]) -> None:
        """Only the scenario's rules, fresh (ids, counts and RNGs start again)."""
        self.faults = []
        self._next = 1
        for spec in specs:
            self.add(spec)

    def pick(self, method: str, path: str, body: bytes) -> Fault | None:
        """The first live rule that matches and fires; using it counts against its ``times``."""
        for fault in self.faults:
            if fault.remaining == 0 or not fault.matches(method, path, body):
                continue
            if fault.probability < 1.0 and fault.rng.random() >= fault.probability:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
            fault.hits += 1
            return fault
        return None

    def listing(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self.faults]
