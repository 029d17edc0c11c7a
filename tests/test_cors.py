"""CORS for frontends on another origin, and the pages the contract's redirects land on."""

from __future__ import annotations

import httpx
import pytest

ORIGIN = "http://localhost:3000"


def test_preflight_for_patch_with_custom_headers(client: httpx.Client) -> None:
    response = client.options(
        "/api/profile",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "X-Frontend-Version, Content-Type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "PATCH" in response.headers["access-control-allow-methods"]
    assert "x-frontend-version" in response.headers["access-control-allow-headers"].lower()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/records", 200),
        ("GET", "/api/records?page=abc", 500),
        ("GET", "/api/profile", 401),
        ("POST", "/api/auth", 500),
        ("GET", "/", 200),
        ("GET", "/profile", 200),
    ],
)
def test_every_answer_carries_cors_for_the_requesting_origin(
    client: httpx.Client, method: str, path: str, status: int
) -> None:
    response = client.request(method, path, headers={"Origin": ORIGIN})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"


def test_location_is_readable_by_scripts(client: httpx.Client) -> None:
    response = client.get("/api/records", headers={"Origin": ORIGIN})
    assert "location" in response.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize("path", ["/", "/profile"])
def test_redirect_targets_are_small_html_pages(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>" in response.text


def test_home_page_links_docs_and_shows_demo_login(client: httpx.Client) -> None:
    text = client.get("/").text
    assert 'href="/docs/"' in text and "demo@example.com" in text


def test_unknown_path_is_a_plain_404(client: httpx.Client) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")


def test_unknown_method_is_405_with_allow(client: httpx.Client) -> None:
    response = client.request("DELETE", "/api/profile")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, PATCH"
