"""Controlling faults: per request, by profile at start-up, and at run time via /__mock/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver.contract import Contract
from mockserver.fault_profiles import ProfileError, load_profile, parse_profile, quick_mix
from mockserver.faults import BY_NAME, CATALOGUE
from mockserver.injector import Journal
from tests.support import ROOT, MockProcess, register, running_mock, unique_email
from tests.test_cli import run_cli

PROFILES = sorted((ROOT / "fixtures" / "faults").glob("*.yaml"))
OPERATIONS = list(Contract.load().operations)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with running_mock("--seed", "12", "--players", "30") as process:
        yield process


# -- per request -----------------------------------------------------------------------------


def test_query_parameter_forces_a_fault_where_headers_cannot_be_set(mock: MockProcess) -> None:
    with mock.client() as c:
        register(c)
        img = c.get("/api/avatar?__fault=status-503")
    assert img.status_code == 503
    assert img.headers["x-mock-fault-applied"] == "status-503"


def test_fault_that_does_not_apply_passes_through_and_says_so(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/records", headers={"X-Mock-Fault": "patch-not-saved"})
    assert response.status_code == 200 and response.json()["data"]
    assert "x-mock-fault-applied" not in response.headers
    assert "does not apply" in response.headers["x-mock-fault-skipped"]


@pytest.mark.parametrize("where", ["header", "query"])
def test_unknown_fault_is_a_clear_400(mock: MockProcess, where: str) -> None:
    origin = {"Origin": "http://localhost:3000"}
    if where == "header":
        response = httpx.get(
            f"{mock.url}/api/records", headers={"X-Mock-Fault": "status-999", **origin}
        )
    else:
        response = httpx.get(f"{mock.url}/api/records?__fault=status-999", headers=origin)
    assert response.status_code == 400
    assert "unknown fault 'status-999'" in response.text and "status-502" in response.text
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_preflight_allows_the_fault_header(mock: MockProcess) -> None:
    response = httpx.options(
        f"{mock.url}/api/profile",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-Mock-Fault",
        },
    )
    assert response.status_code == 200
    assert "x-mock-fault" in response.headers["access-control-allow-headers"].lower()
    exposed = httpx.get(f"{mock.url}/api/records", headers={"Origin": "http://localhost:3000"})
    assert "X-Mock-Fault-Applied" in exposed.headers["access-control-expose-headers"]


# -- admin API -------------------------------------------------------------------------------


def test_admin_lists_the_catalogue(mock: MockProcess) -> None:
    listed = httpx.get(f"{mock.url}/__mock/faults").json()
    assert [entry["name"] for entry in listed] == [fault.name for fault in CATALOGUE]
    assert all(entry["description"] and entry["observed"] for entry in listed)


def test_admin_sets_and_clears_a_profile(mock: MockProcess) -> None:
    profile = "name: always-503\nrates:\n  status-503: 1.0\n"
    try:
        assert httpx.put(f"{mock.url}/__mock/profile", content=profile).status_code == 200
        assert httpx.get(f"{mock.url}/__mock/profile").json()["name"] == "always-503"
        assert httpx.get(f"{mock.url}/api/records").status_code == 503
    finally:
        assert httpx.delete(f"{mock.url}/__mock/profile").status_code == 200
    assert httpx.get(f"{mock.url}/__mock/profile").json() is None
    assert httpx.get(f"{mock.url}/api/records").status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("rates:\n  status-999: 0.1\n", "unknown fault 'status-999'"),
        ("rates:\n  status-503: 1.5\n", "from 0 to 1"),
        ("rates:\n  status-503: 0.7\n  drop: 0.7\n", "add up to"),
        ("operations:\n  get_nothing:\n    drop: 0.1\n", "unknown operation 'get_nothing'"),
        ("rates: [1, 2\n", "not YAML"),
        ("just a string", "a mapping"),
        ("rates: {}\ncolour: red\n", "unknown keys"),
        ("settings:\n  latency: -1\n", "non-negative"),
    ],
)
def test_admin_refuses_bad_profiles(mock: MockProcess, body: str, expected: str) -> None:
    response = httpx.put(f"{mock.url}/__mock/profile", content=body)
    assert response.status_code == 400
    assert expected in response.text
    assert httpx.get(f"{mock.url}/__mock/profile").json() is None


def test_admin_resets_the_world(mock: MockProcess) -> None:
    email = unique_email()
    with mock.client() as c:
        register(c, email, "pw")
    reset = httpx.post(f"{mock.url}/__mock/reset")
    assert reset.status_code == 200 and reset.json()["players"] == 32
    login = httpx.post(f"{mock.url}/api/auth", data={"email": email, "password": "pw"})
    assert login.status_code == 500


def test_admin_journal_records_requests_and_faults(mock: MockProcess) -> None:
    httpx.get(f"{mock.url}/api/records?page=2")
    httpx.get(f"{mock.url}/api/records", headers={"X-Mock-Fault": "status-504"})
    entries = httpx.get(f"{mock.url}/__mock/journal", params={"limit": 2}).json()
    assert [(e["method"], e["path"], e["status"], e["fault"]) for e in entries] == [
        ("GET", "/api/records", 200, None),
        ("GET", "/api/records", 504, "status-504"),
    ]
    assert httpx.get(f"{mock.url}/__mock/journal?limit=x").status_code == 400
    assert httpx.get(f"{mock.url}/__mock/nothing").status_code == 404


def test_journal_is_bounded() -> None:
    journal = Journal(size=3)
    for index in range(10):
        journal.record("GET", f"/{index}", 200, None)
    assert [entry["path"] for entry in journal.recent(100)] == ["/7", "/8", "/9"]


# -- profiles and start-up -------------------------------------------------------------------


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_shipped_profiles_are_valid(path: Path) -> None:
    profile = load_profile(path, OPERATIONS)
    assert profile.name == path.stem and profile.description
    assert any(profile.table(op) for op in OPERATIONS)


def test_quick_mix_spreads_the_rate_over_applicable_kinds() -> None:
    profile = quick_mix(0.3, OPERATIONS)
    for op in OPERATIONS:
        table = profile.table(op)
        assert abs(sum(rate for _, rate in table) - 0.3) < 1e-9
        assert all(fault.in_quick_mix and fault.applies(op) for fault, _ in table)
    assert "hang" not in {f.name for f, _ in profile.table("get_records")}


def test_profile_draws_follow_the_rates() -> None:
    profile = parse_profile({"rates": {"status-503": 0.25, "drop": 0.25}}, OPERATIONS, "t")
    assert profile.choose("get_records", 0.1) is BY_NAME["status-503"]
    assert profile.choose("get_records", 0.4) is BY_NAME["drop"]
    assert profile.choose("get_records", 0.6) is None
    with pytest.raises(ProfileError):
        parse_profile({"rates": {"nope": 0.1}}, OPERATIONS, "t")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fault-rate", "2"], "--fault-rate"),
        (["--faults", "tests/data/bad_faults.yaml"], "unknown fault 'status-999'"),
        (["--faults", "missing.yaml"], "no such file"),
        (["--faults", "fixtures/faults/flaky-network.yaml", "--fault-rate", "0.1"], "not both"),
    ],
)
def test_bad_fault_settings_refuse_to_start(args: list[str], expected: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def fault_sequence(*args: str) -> list[str | None]:
    """The faults 60 identical requests get from a fresh mock started with `args`."""
    with running_mock("--players", "20", *args) as process:
        with process.client() as c:
            for page in range(60):
                try:
                    c.get("/api/records", params={"page": page % 3 + 1})
                except httpx.TransportError:
                    pass
            entries = c.get("/__mock/journal", params={"limit": 60}).json()
    return [entry["fault"] for entry in entries]


def test_same_fault_seed_same_faults() -> None:
    # Latency kinds are fast here: the profile only keeps status and body kinds.
    args = ("--faults", "tests/data/quick_status_faults.yaml")
    first = fault_sequence(*args, "--fault-seed", "7")
    assert len(first) == 60 and 10 < sum(f is not None for f in first) < 50
    assert fault_sequence(*args, "--fault-seed", "7") == first
    assert fault_sequence(*args, "--fault-seed", "8") != first


def test_banner_names_the_active_profile() -> None:
    with running_mock("--faults", "fixtures/faults/slow-backend.yaml", "--fault-seed", "3") as m:
        assert any("profile slow-backend, fault seed 3" in line for line in m.banner)


def test_readme_documents_every_fault() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [f.name for f in CATALOGUE if f"| `{f.name}` |" not in readme] == []
