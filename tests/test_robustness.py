"""The mock under abuse: generated input, many clients at once, hostile requests.

Each test is bounded by a count of requests, never by a timing assertion.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from conformance.schema import SchemaChecks
from conformance.target import Exchange
from mockserver.contract import Contract
from tests.support import MockProcess, logged_in, running_mock

AVATAR = Path(__file__).resolve().parent.parent / "fixtures" / "avatars" / "red.gif"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with running_mock("--seed", "41", "--players", "50") as process:
        yield process


def peak_rss_kib(process: MockProcess) -> int:
    status = Path(f"/proc/{process.process.pid}/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0])


def serves(mock: MockProcess) -> bool:
    return httpx.get(f"{mock.url}/api/records", timeout=10).status_code == 200


# -- generated input ---------------------------------------------------------------------------


def test_two_thousand_generated_requests_stay_within_the_contract(mock: MockProcess) -> None:
    with mock.client() as c:
        login = c.post("/api/auth", data={"email": "demo@example.com", "password": "demo1234"})
    session = login.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    checks = SchemaChecks(Contract.load().raw, "session", session)
    seen: list[Exchange] = []
    problems: list[tuple[str, str, str]] = []

    def record(exchange: Exchange, found: list[tuple[str, str]]) -> bool:
        seen.append(exchange)
        problems.extend((exchange.operation, name, text) for name, text in found)
        return True

    checks.fuzz(mock.url, timeout=10, max_examples=200, run_seed=7, record=record)
    assert len(seen) >= 2000
    assert [e.error for e in seen if e.error] == []
    assert problems == []
    assert not [e for e in seen if "Traceback" in e.text]
    assert serves(mock)


# -- many clients ------------------------------------------------------------------------------


def client_session(mock: MockProcess, number: int) -> dict[str, str]:
    """One client's mixed work; returns what it last saved."""
    email = f"crowd-{number}@test.example"
    with mock.client() as c:
        assert (
            c.post(
                "/api/register",
                data={"email": email, "password": "pw", "nickname": f"Crowd {number}"},
            ).status_code
            == 302
        )
        last = {"email": email, "nickname": f"Crowd {number}"}
        for step in range(12):
            if step % 4 == 0:
                nickname = f"Crowd {number}.{step}"
                response = c.patch("/api/profile", files={"nickname": (None, nickname)})
                assert response.status_code == 200
                last["nickname"] = nickname
            elif step % 4 == 1:
                assert c.get("/api/records", params={"page": step % 5 + 1}).status_code == 200
            elif step % 4 == 2:
                assert c.get("/api/profile").json()["nickname"] == last["nickname"]
            else:
                assert (
                    c.post("/api/auth", data={"email": email, "password": "pw"}).status_code == 302
                )
    return last


def all_records(mock: MockProcess) -> list[dict[str, str]]:
    first = httpx.get(f"{mock.url}/api/records").json()
    items = list(first["data"])
    for page in range(2, int(first["pages_total"]) + 1):
        items += httpx.get(f"{mock.url}/api/records", params={"page": page}).json()["data"]
    return items


def test_fifty_concurrent_clients_leave_a_consistent_world() -> None:
    with running_mock("--seed", "42", "--players", "30") as mock:
        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(lambda n: client_session(mock, n), range(50)))
        for last in results:
            with mock.client() as c:
                login = c.post("/api/auth", data={"email": last["email"], "password": "pw"})
                assert login.status_code == 302
                assert c.get("/api/profile").json()["nickname"] == last["nickname"]
        nicknames = [item["nickname"] for item in all_records(mock)]
        assert len(nicknames) == 30 + 2 + 50
        for last in results:
            assert nicknames.count(last["nickname"]) == 1


# -- hostile input -----------------------------------------------------------------------------


def test_fifty_mib_avatar_is_refused_without_holding_it(mock: MockProcess) -> None:
    with logged_in(mock, "Hostile") as c:
        serves(mock)
        before = peak_rss_kib(mock)
        response = c.patch(
            "/api/profile", files={"avatar": ("big.png", b"\0" * (50 << 20), "image/png")}
        )
        after = peak_rss_kib(mock)
    assert response.status_code == 500
    assert "at most 2 MiB" in response.text
    assert after - before < 4 * 1024, f"peak memory grew by {(after - before) // 1024} MiB"
    assert serves(mock)


def test_oversized_chunked_upload_is_refused(mock: MockProcess) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * (128 * 1024)

    with logged_in(mock, "Hostile") as c:
        response = c.patch(
            "/api/profile",
            content=chunks(),
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
    # Bodies without a declared length are refused as missing, whatever their size.
    assert response.status_code == 500 and response.text.startswith("Invalid request")
    assert serves(mock)


def test_one_mib_form_field_is_a_contract_error(mock: MockProcess) -> None:
    response = httpx.post(
        f"{mock.url}/api/register",
        data={"email": "big@test.example", "password": "pw", "nickname": "n" * (1 << 20)},
    )
    # Refused either by the form parser's field limit or by the nickname's length rule.
    assert response.status_code == 500
    assert "maximum size" in response.text or "nickname" in response.text
    with logged_in(mock, "Hostile") as c:
        patched = c.patch("/api/profile", files={"nickname": (None, "n" * (1 << 20))})
    assert patched.status_code == 500 and patched.text
    assert serves(mock)


def test_ten_thousand_character_query_string(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/records?page=1&filler={'q' * 10_000}")
    assert response.status_code == 200
    assert serves(mock)


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=declared",
        "multipart/form-data",
        "multipart/form-data; boundary=",
    ],
)
def test_broken_multipart_boundaries(mock: MockProcess, content_type: str) -> None:
    body = b'--other\r\nContent-Disposition: form-data; name="nickname"\r\n\r\nX\r\n--other--\r\n'
    with logged_in(mock, "Hostile") as c:
        response = c.patch("/api/profile", content=body, headers={"Content-Type": content_type})
    assert response.status_code in (200, 500)
    assert response.text and "Traceback" not in response.text
    assert serves(mock)


def test_unterminated_body_does_not_stop_others(mock: MockProcess) -> None:
    address = urlsplit(mock.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/register HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            b"email=half"
        )
        # The stalled request is still open while other clients are served.
        results = []
        threads = [threading.Thread(target=lambda: results.append(serves(mock))) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert results == [True] * 5
    assert serves(mock)
