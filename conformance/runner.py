"""Running the flows against a target and deciding the outcome."""

from __future__ import annotations

import time

from conformance.flows import FLOWS
from conformance.report import Result
from conformance.suite import FlowStopped, Options, Suite
from conformance.target import TargetGone

CONFORMS, VIOLATIONS, COULD_NOT_RUN = 0, 1, 2
INTERNAL_ERROR = "the suite itself failed"


def reachable(suite: Suite) -> str | None:
    """Why the target cannot be tested at all: nothing accepts connections there.

    A target that accepts connections and then answers badly, late or not at all is
    testable: that is what the findings (transport, time.timeout) are for.
    """
    ex = suite.target.request("GET", "/api/records", params={"page": "1"})
    if ex.error and ex.error.startswith("cannot connect"):
        return f"cannot reach {suite.target.base_url}: {ex.error}"
    return None


def run(options: Options) -> Result:
    started = time.monotonic()
    suite = Suite(options)
    try:
        problem = reachable(suite)
        if problem is not None:
            return Result(options.base_url, suite.findings, COULD_NOT_RUN, problem)
        for flow in FLOWS:
            if not suite.wants(*flow.checks):
                continue
            try:
                flow.run(suite)
            except FlowStopped as stopped:
                suite.notes.append(f"{flow.name}: stopped early: {stopped}")
            except TargetGone:
                raise
            except Exception as error:  # a bug in the suite must not hide the other flows
                suite.notes.append(f"{flow.name}: {INTERNAL_ERROR}: {error!r}")
    except TargetGone as gone:
        suite.notes.append(f"the run stopped: {gone}")
    finally:
        suite.target.close()
    findings = suite.findings
    failed = findings.violations or (options.strict and findings.advisories)
    if failed:
        reason = f"does not conform ({len(findings.violations)} violations"
        reason += f", {len(findings.advisories)} advisories)" if findings.advisories else ")"
    else:
        reason = "conforms" + (
            f" ({len(findings.advisories)} advisories)" if findings.advisories else ""
        )
    result = Result(
        options.base_url,
        findings,
        VIOLATIONS if failed else CONFORMS,
        reason,
        suite.notes,
        time.monotonic() - started,
    )
    return result
