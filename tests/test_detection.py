"""The conformance suite catches every contract-breaking fault in the mock's catalogue.

For each such fault, the mock is told to inject it into every request it applies to, and the
suite must report a violation under the check named in DETECTED_BY. A fault added to the
catalogue without an entry here fails `test_every_contract_breaking_fault_is_mapped`.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conformance.runner import INTERNAL_ERROR, run
from conformance.suite import Options
from mockserver.contract import BUNDLED_SPEC
from mockserver.faults import CATALOGUE
from tests.support import MockProcess, running_mock

DETECTED_BY = {
    "status-502": "schema.status",
    "status-503": "schema.status",
    "status-504": "schema.status",
    "status-404": "schema.status",
    "status-400": "schema.status",
    "status-403": "schema.status",
    "status-429": "schema.status",
    "status-500-debug": "errors.no-debug",
    "status-500-empty": "errors.message",
    "json-truncated": "schema.body",
    "json-malformed": "schema.body",
    "numbers-as-integers": "schema.body",
    "field-missing": "schema.body",
    "extra-fields": "privacy.records-emails",
    "null-values": "schema.body",
    "empty-200": "schema.body",
    "wrong-content-type": "schema.content-type",
    "invalid-utf8": "schema.body",
    "avatar-not-image": "avatar.image",
    "redirect-no-location": "register.redirect",
    "redirect-no-cookie": "session.cookie",
    "cookie-not-httponly": "session.httponly",
    "redirect-foreign": "redirect.same-origin",
    "hang": "time.timeout",
    "drop": "transport",
    "body-cut-short": "transport",
    "records-unsorted": "records.order",
    "records-page-ignored": "records.paging",
    "records-pages-total-wrong": "records.pages-total",
    "patch-not-saved": "patch.saved",
    "profile-someone-else": "profile.unauthorized",
    "register-duplicate-email": "register.duplicate-email",
    "auth-wrong-password": "auth.wrong-password",
}
BREAKING = [fault.name for fault in CATALOGUE if fault.breaks_contract]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with running_mock("--seed", "21", "--players", "40") as process:
        yield process


def quick_run(mock: MockProcess) -> object:
    return run(Options(base_url=mock.url, spec=BUNDLED_SPEC, timeout=1.0, max_examples=5))


def test_every_contract_breaking_fault_is_mapped() -> None:
    assert sorted(DETECTED_BY) == sorted(BREAKING)


@pytest.mark.parametrize("fault", BREAKING)
def test_fault_is_detected(mock: MockProcess, fault: str) -> None:
    profile = {"name": fault, "rates": {fault: 1.0}, "settings": {"hang_limit": 5}}
    assert httpx.put(f"{mock.url}/__mock/profile", json=profile).status_code == 200
    try:
        result = quick_run(mock)
    finally:
        httpx.delete(f"{mock.url}/__mock/profile")
    violations = {finding.check for finding in result.findings.violations}
    assert DETECTED_BY[fault] in violations, violations
    assert result.exit_code == 1
    assert not [note for note in result.notes if INTERNAL_ERROR in note]


def test_faults_that_keep_the_contract_raise_no_violation(mock: MockProcess) -> None:
    quiet = [fault.name for fault in CATALOGUE if not fault.breaks_contract]
    profile = {
        "rates": {name: 0.1 for name in quiet},
        "settings": {"latency": 0.05, "latency_random": [0.01, 0.05]},
    }
    assert httpx.put(f"{mock.url}/__mock/profile", json=profile).status_code == 200
    try:
        result = quick_run(mock)
    finally:
        httpx.delete(f"{mock.url}/__mock/profile")
    assert result.findings.violations == []
