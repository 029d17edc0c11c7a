"""Writing a run's result: the console summary, JUnit XML, Markdown and JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from conformance.checks import CHECKS
from conformance.findings import Finding, Findings, Severity


@dataclass
class Result:
    target: str
    findings: Findings
    exit_code: int
    reason: str
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def finding_lines(finding: Finding) -> list[str]:
    repeat = f" (x{finding.occurrences})" if finding.occurrences > 1 else ""
    return [
        f"{finding.severity.value.upper():9} {finding.check}  {finding.operation}{repeat}",
        f"          expected: {finding.expected}",
        f"          observed: {finding.observed}",
        f"          reproduce: {finding.curl}",
    ]


def console(result: Result) -> str:
    findings = result.findings
    lines = [f"Conformance of {result.target} to the game site API contract", ""]
    for finding in findings.violations + findings.advisories:
        lines += [*finding_lines(finding), ""]
    for note in result.notes:
        lines.append(f"note: {note}")
    held = sum(1 for name in findings.passed if name not in {f.check for f in findings.items})
    lines += [
        "",
        f"{len(findings.violations)} violations, {len(findings.advisories)} advisories; "
        f"{held} checks held; {result.seconds:.1f} s",
        f"result: {result.reason}",
    ]
    return "\n".join(lines)


def markdown(result: Result) -> str:
    findings = result.findings
    lines = [
        "# API conformance",
        "",
        f"Target: `{result.target}` — **{result.reason}** "
        f"({len(findings.violations)} violations, {len(findings.advisories)} advisories)",
        "",
    ]
    if findings.items:
        lines += ["| severity | check | operation | expected | observed |", "|---|---|---|---|---|"]
        for f in findings.violations + findings.advisories:
            cells = [f.severity.value, f"`{f.check}`", f"`{f.operation}`", f.expected, f.observed]
            lines.append("| " + " | ".join(c.replace("|", "\\\\|") for c in cells) + " |")
        lines += ["", "## How to reproduce", ""]
        for f in findings.violations + findings.advisories:
            lines += [f"- `{f.check}` on `{f.operation}`:", "", "  ```sh", f"  {f.curl}", "  ```"]
    for note in result.notes:
        lines.append(f"- note: {note}")
    return "\n".join(lines) + "\n"


def as_json(result: Result) -> str:
    return json.dumps(
        {
            "target": result.target,
            "result": result.reason,
            "exit_code": result.exit_code,
            "violations": len(result.findings.violations),
            "advisories": len(result.findings.advisories),
            "findings": [f.as_dict() for f in result.findings.items],
            "checks_held": result.findings.passed,
            "notes": result.notes,
            "seconds": round(result.seconds, 2),
        },
        indent=2,
        ensure_ascii=False,
    )


def junit(result: Result) -> str:
    """One test case per check: failed when it has a violation (or an advisory, as skipped)."""
    by_check: dict[str, list[Finding]] = {}
    for finding in result.findings.items:
        by_check.setdefault(finding.check, []).append(finding)
    names = [n for n in CHECKS if result.findings.wanted(n)]
    suite = ElementTree.Element(
        "testsuite",
        name="api-conformance",
        tests=str(len(names)),
        failures=str(
            sum(
                1
                for n in names
                if any(f.severity is Severity.VIOLATION for f in by_check.get(n, []))
            )
        ),
        time=f"{result.seconds:.2f}",
    )
    for name in names:
        case = ElementTree.SubElement(suite, "testcase", classname="conformance", name=name)
        found = by_check.get(name, [])
        violations = [f for f in found if f.severity is Severity.VIOLATION]
        if violations:
            failure = ElementTree.SubElement(case, "failure", message=violations[0].observed)
            failure.text = "\n\n".join("\n".join(finding_lines(f)) for f in violations)
        elif found:
            skipped = ElementTree.SubElement(case, "skipped", message="advisory")
            skipped.text = "\n\n".join("\n".join(finding_lines(f)) for f in found)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
