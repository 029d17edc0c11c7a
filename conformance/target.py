"""The backend under test, reached over HTTP with a bounded time for every request.

Every request the suite makes goes through `Target.request`, which never raises for what a
server does: a transport failure (refused, reset, cut short, timed out) comes back as an
`Exchange` without a response. Each exchange can be replayed with the `curl` command it carries.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import httpx

MAX_BODY_BYTES = 8 * 1024 * 1024
"""Answers are read up to this size; a larger body is a finding, not a memory problem."""


class TargetGone(Exception):
    """The target stopped answering: the run cannot go on."""


@dataclass
class Exchange:
    method: str
    path: str
    operation: str
    curl: str
    response: httpx.Response | None = None
    body: bytes = b""
    error: str | None = None
    elapsed: float = 0.0
    truncated: bool = False

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None

    def header(self, name: str) -> str | None:
        return self.response.headers.get(name) if self.response is not None else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Target:
    base_url: str
    timeout: float = 10.0
    operation_of: Callable[[str, str], str] = lambda method, path: f"{method} {path}"
    observers: list[Callable[[Exchange], None]] = field(default_factory=list)
    unanswered_in_a_row: int = 0
    give_up_after: int = 3

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.base_url, follow_redirects=False, timeout=self.timeout
        )

    def close(self) -> None:
        self.client.close()

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> Exchange:
        """One request; `form` is urlencoded, `fields` and `files` are multipart."""
        if self.unanswered_in_a_row >= self.give_up_after:
            raise TargetGone(f"no answer to {self.give_up_after} requests in a row")
        headers = dict(headers or {})
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        url_path = path + (f"?{urlencode(params)}" if params else "")
        exchange = Exchange(
            method=method,
            path=url_path,
            operation=self.operation_of(method, path),
            curl=curl_command(method, self.base_url + url_path, headers, form, fields, files),
        )
        multipart = None
        if files is not None or fields is not None:
            multipart = {**{k: (None, v) for k, v in (fields or {}).items()}, **(files or {})}
        started = time.monotonic()
        try:
            with self.client.stream(
                method, url_path, data=form, files=multipart, headers=headers
            ) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        exchange.truncated = True
                        break
                exchange.response = response
                exchange.body = b"".join(chunks)
            # Each request carries exactly the cookies the flow gives it, never remembered ones.
            self.client.cookies.clear()
            self.unanswered_in_a_row = 0
        except httpx.TimeoutException:
            exchange.error = f"no answer within {self.timeout:g} s"
        except httpx.HTTPError as error:
            exchange.error = describe_transport_error(error)
        exchange.elapsed = time.monotonic() - started
        if exchange.error is not None:
            self.unanswered_in_a_row += 1
        for observe in self.observers:
            observe(exchange)
        return exchange


def describe_transport_error(error: httpx.HTTPError) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.RemoteProtocolError):
        return f"the connection broke: {text}"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect: {text}"
    return f"{type(error).__name__}: {text}"


def curl_command(
    method: str,
    url: str,
    headers: dict[str, str],
    form: dict[str, str] | None,
    fields: dict[str, str] | None,
    files: dict[str, tuple[str, bytes, str]] | None,
) -> str:
    """A shell command that sends the same request (uploaded files named, not inlined)."""
    parts = ["curl", "-i"]
    if method not in ("GET", "POST") or (method == "POST" and form is None and not files):
        parts += ["-X", method]
    for name, value in headers.items():
        parts += ["-H", f"{name}: {value}"]
    if form is not None:
        parts += ["--data-raw", urlencode(form)]
    for name, value in (fields or {}).items():
        parts += ["-F", f"{name}={value}"]
    for name, (filename, _, media_type) in (files or {}).items():
        parts += ["-F", f"{name}=@{filename or 'empty'};type={media_type}"]
    parts.append(url)
    return " ".join(shlex.quote(part) for part in parts)
