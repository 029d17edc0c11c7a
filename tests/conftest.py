from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support import MockProcess, running_mock


@pytest.fixture(scope="session")
def mock() -> Iterator[MockProcess]:
    """One mock process with the default world, shared by tests that only add to it."""
    with running_mock("--seed", "1") as process:
        yield process


@pytest.fixture
def client(mock: MockProcess) -> Iterator[httpx.Client]:
    with mock.client() as c:
        yield c
