"""Fault profiles: how often each fault happens, overall and per operation.

A profile is a YAML (or JSON) mapping:

    name: flaky-network
    description: What a phone on a train sees.
    rates:                  # probability per request, for every operation it applies to
      drop: 0.05
      latency-random: 0.2
    operations:             # per operation: added to (and overriding) the rates above
      get_records:
        status-503: 0.1
    settings:               # tunables of the transport faults, in seconds
      latency: 2.0
      latency_random: [0.1, 3.0]
      hang_limit: 300

Each request to an operation draws one number from the fault seed's generator; the rates that
apply to the operation, in order, decide which fault (if any) it gets. The same seed and the same
sequence of requests therefore give the same faults.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockserver.faults import BY_NAME, CATALOGUE, Fault, FaultSettings, UnknownFault


class ProfileError(ValueError):
    """A profile that cannot be used; the message says what is wrong and where."""


@dataclass(frozen=True)
class FaultProfile:
    name: str
    description: str = ""
    rates: dict[str, float] = field(default_factory=dict)
    operations: dict[str, dict[str, float]] = field(default_factory=dict)
    settings: FaultSettings = field(default_factory=FaultSettings)

    def table(self, operation_id: str) -> list[tuple[Fault, float]]:
        """The faults that may hit this operation, with their rates, in draw order."""
        merged = {**self.rates, **self.operations.get(operation_id, {})}
        return [
            (BY_NAME[name], rate)
            for name, rate in merged.items()
            if rate > 0 and BY_NAME[name].applies(operation_id)
        ]

    def choose(self, operation_id: str, draw: float) -> Fault | None:
        """The fault for a request whose draw (uniform in [0, 1)) is `draw`."""
        threshold = 0.0
        for fault, rate in self.table(operation_id):
            threshold += rate
            if draw < threshold:
                return fault
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "rates": self.rates,
            "operations": self.operations,
            "settings": {
                "latency": self.settings.latency,
                "latency_random": list(self.settings.latency_random),
                "hang_limit": self.settings.hang_limit,
            },
        }


def check_rates(where: str, rates: Any) -> dict[str, float]:
    if not isinstance(rates, dict):
        raise ProfileError(f"{where}: expected a mapping of fault name to rate")
    checked: dict[str, float] = {}
    for name, rate in rates.items():
        if name not in BY_NAME:
            raise ProfileError(f"{where}: {UnknownFault(str(name))}")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise ProfileError(f"{where}.{name}: the rate must be a number from 0 to 1")
        checked[str(name)] = float(rate)
    return checked


def check_settings(raw: Any) -> FaultSettings:
    if raw is None:
        return FaultSettings()
    if not isinstance(raw, dict):
        raise ProfileError("settings: expected a mapping")
    unknown = set(raw) - {"latency", "latency_random", "hang_limit"}
    if unknown:
        raise ProfileError(f"settings: unknown keys {sorted(unknown)}")
    defaults = FaultSettings()
    try:
        latency = float(raw.get("latency", defaults.latency))
        low, high = (float(x) for x in raw.get("latency_random", defaults.latency_random))
        hang_limit = float(raw.get("hang_limit", defaults.hang_limit))
    except (TypeError, ValueError):
        raise ProfileError(
            "settings: latency and hang_limit are seconds, latency_random is [min, max]"
        ) from None
    if not (0 <= latency and 0 <= low <= high and 0 < hang_limit):
        raise ProfileError("settings: delays must be non-negative, with min <= max")
    return FaultSettings(latency, (low, high), hang_limit)


def parse_profile(raw: Any, operation_ids: Iterable[str], default_name: str) -> FaultProfile:
    """A profile from parsed YAML/JSON, checked against the catalogue and the spec."""
    if not isinstance(raw, dict):
        raise ProfileError("a fault profile is a mapping with `rates` and/or `operations`")
    unknown = set(raw) - {"name", "description", "rates", "operations", "settings"}
    if unknown:
        raise ProfileError(f"unknown keys {sorted(unknown)}")
    known_operations = set(operation_ids)
    rates = check_rates("rates", raw.get("rates") or {})
    operations: dict[str, dict[str, float]] = {}
    for operation_id, op_rates in (raw.get("operations") or {}).items():
        if operation_id not in known_operations:
            raise ProfileError(
                f"operations: unknown operation {operation_id!r}; "
                f"known: {', '.join(sorted(known_operations))}"
            )
        operations[operation_id] = check_rates(f"operations.{operation_id}", op_rates)
    profile = FaultProfile(
        name=str(raw.get("name") or default_name),
        description=str(raw.get("description") or ""),
        rates=rates,
        operations=operations,
        settings=check_settings(raw.get("settings")),
    )
    for operation_id in known_operations:
        total = sum(rate for _, rate in profile.table(operation_id))
        if total > 1 + 1e-9:
            raise ProfileError(
                f"the rates for {operation_id} add up to {total:.2f}; at most 1 is possible"
            )
    return profile


def load_profile(path: Path, operation_ids: Iterable[str]) -> FaultProfile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ProfileError(f"cannot read {path}: {error}") from None
    try:
        return parse_profile(raw, operation_ids, default_name=path.stem)
    except ProfileError as error:
        raise ProfileError(f"{path}: {error}") from None


def quick_mix(rate: float, operation_ids: Iterable[str]) -> FaultProfile:
    """`--fault-rate R`: each request faulted with probability R, the kind chosen evenly among
    the quick-mix faults that apply to its operation (no hangs, no silent backend bugs)."""
    if not 0 <= rate <= 1:
        raise ProfileError("the fault rate must be from 0 to 1")
    operations = {}
    for operation_id in operation_ids:
        kinds = [f.name for f in CATALOGUE if f.in_quick_mix and f.applies(operation_id)]
        operations[operation_id] = {name: rate / len(kinds) for name in kinds}
    return FaultProfile(
        name=f"quick-mix-{rate:g}",
        description=f"Every request faulted with probability {rate:g}, the kind chosen evenly.",
        operations=operations,
    )
