"""What a run found: one `Finding` per distinct problem, each under a named check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    VIOLATION = "violation"
    """The contract is broken: the run fails."""
    ADVISORY = "advisory"
    """Worth a look (a recommendation, or a ruling the document leaves open): fails only with
    --strict."""


@dataclass(frozen=True)
class Check:
    name: str
    severity: Severity
    title: str
    """What conforming means, in one line."""


@dataclass
class Finding:
    check: str
    severity: Severity
    title: str
    operation: str
    expected: str
    observed: str
    curl: str
    occurrences: int = 1

    def key(self) -> tuple[str, str, str]:
        return (self.check, self.operation, self.observed)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


@dataclass
class Findings:
    """Findings in the order found; repeats of the same problem are counted, not listed."""

    selected: Iterable[str] | None = None
    items: list[Finding] = field(default_factory=list)
    passed: dict[str, int] = field(default_factory=dict)
    """How many times each check held."""

    def __post_init__(self) -> None:
        if self.selected is not None:
            self.selected = frozenset(self.selected)

    def wanted(self, check: str) -> bool:
        return self.selected is None or check in self.selected

    def add(self, finding: Finding) -> None:
        if not self.wanted(finding.check):
            return
        for existing in self.items:
            if existing.key() == finding.key():
                existing.occurrences += 1
                return
        self.items.append(finding)

    def held(self, check: str) -> None:
        if self.wanted(check):
            self.passed[check] = self.passed.get(check, 0) + 1

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.items if f.severity is Severity.VIOLATION]

    @property
    def advisories(self) -> list[Finding]:
        return [f for f in self.items if f.severity is Severity.ADVISORY]
