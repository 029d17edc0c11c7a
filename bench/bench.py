"""`make bench`: the mock side by side with Stoplight Prism and the ceiling, in one run.

- ours: `python -m mockserver`, as `make mock` starts it;
- Prism: `prism mock openapi.yaml`, as its users run it (npm package @stoplight/prism-cli);
- the ceiling: a bare Starlette app on the same uvicorn returning the mock's own bytes with no
  validation (bench/ceiling.py): the most this stack gives on this machine.

For each, over several rounds with the servers' order rotated: time from process start to the
first 200 on GET /api/records?page=1; requests/s, p50 and p99 under wrk (2 threads, 50
connections) on that endpoint and on GET /api/profile with a session cookie; peak RSS. Then the
medians and the ratios ours/Prism and ours/ceiling, and the mock's memory before and after
200,000 mixed requests. Numbers, not verdicts: the machine is shared, so compare ratios.

    .venv/bin/python bench/bench.py [--rounds 3] [--duration 10] [--soak 200000]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "bench" / ".node"
PRISM = NODE_DIR / "node_modules" / ".bin" / "prism"
PYTHON = sys.executable
RECORDS = "/api/records?page=1"
DEMO = {"email": "demo@example.com", "password": "demo1234"}


# -- tools -------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)...", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=False,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    found = shutil.which("wrk")
    if not found:
        sys.exit("bench: needs wrk (apt-get install wrk)")
    return found


def ensure_prism() -> Path:
    if not PRISM.exists():
        if not shutil.which("npm"):
            sys.exit("bench: needs npm to install Stoplight Prism")
        print("installing @stoplight/prism-cli into bench/.node ...", flush=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(NODE_DIR),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "@stoplight/prism-cli@5",
            ],
            check=True,
        )
    return PRISM


# -- servers -----------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    command: list[str]
    cookie: str = ""
    process: subprocess.Popen[bytes] | None = None

    def start(self, port: int) -> float:
        """Start it; seconds from process start to the first 200 on the records page."""
        command = [part.replace("{port}", str(port)) for part in self.command]
        started = time.monotonic()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}{RECORDS}"
        while time.monotonic() - started < 60:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                sys.exit(f"bench: {self.name} exited with {self.process.returncode}")
            time.sleep(0.005)
        sys.exit(f"bench: {self.name} did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()

    def peak_rss_mib(self) -> float:
        """Peak resident memory of the server's process tree (Prism runs node children)."""
        assert self.process is not None
        return sum(status_kib(pid, "VmHWM") for pid in process_tree(self.process.pid)) / 1024

    def rss_mib(self) -> float:
        assert self.process is not None
        return sum(status_kib(pid, "VmRSS") for pid in process_tree(self.process.pid)) / 1024


def process_tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            queue += [int(child) for child in task.read_text().split()]
    return pids


def status_kib(pid: int, field_name: str) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def session_cookie(port: int) -> str:
    response = httpx.post(f"http://127.0.0.1:{port}/api/auth", data=DEMO)
    return response.headers["set-cookie"].split(";")[0]


# -- load --------------------------------------------------------------------------------------


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float


def milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(binary: str, url: str, duration: int, cookie: str = "") -> Load:
    command = [binary, "-t2", "-c50", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = milliseconds(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = milliseconds(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    return Load(rps, p50, p99)


MIXED = """
local paths = {}
for page = 1, 20 do paths[#paths + 1] = {"GET", "/api/records?page=" .. page, nil} end
paths[#paths + 1] = {"GET", "/api/profile", nil}
paths[#paths + 1] = {"GET", "/api/avatar", nil}
paths[#paths + 1] = {"GET", "/api/records?page=abc", nil}
paths[#paths + 1] = {"POST", "/api/auth", "email=rival%40example.com&password=rival1234"}
paths[#paths + 1] = {"POST", "/api/auth", "email=rival%40example.com&password=wrong"}
local i = 0
request = function()
  i = i % #paths + 1
  local p = paths[i]
  local headers = {["Cookie"] = os.getenv("SOAK_COOKIE")}
  if p[3] then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(p[1], p[2], headers, p[3])
end
"""


def soak(binary: str, port: int, cookie: str, requests: int) -> int:
    """At least `requests` mixed requests, in 5-second wrk runs; returns how many were sent."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(MIXED)
    env = {**os.environ, "SOAK_COOKIE": cookie}
    sent = 0
    while sent < requests:
        command = [binary, "-t2", "-c50", "-d5s", "-s", script.name, f"http://127.0.0.1:{port}/"]
        out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60).stdout
        match = re.search(r"(\d+) requests in", out)
        if match is None or int(match.group(1)) == 0:
            sys.exit(f"bench: the soak got no answers: {out[-300:]}")
        sent += int(match.group(1))
    os.unlink(script.name)
    return sent


# -- report ------------------------------------------------------------------------------------


@dataclass
class Samples:
    startup: list[float] = field(default_factory=list)
    records: list[Load] = field(default_factory=list)
    profile: list[Load] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def row(name: str, s: Samples) -> list[str]:
    def load(loads: list[Load]) -> list[str]:
        return [
            f"{median([x.rps for x in loads]):,.0f}",
            f"{median([x.p50_ms for x in loads]):.1f}",
            f"{median([x.p99_ms for x in loads]):.1f}",
        ]

    return [
        name,
        f"{median(s.startup):.2f}",
        *load(s.records),
        *load(s.profile),
        f"{median(s.rss):.0f}",
    ]


def table(rows: list[list[str]]) -> str:
    header = [
        "server",
        "start s",
        "records rps",
        "p50 ms",
        "p99 ms",
        "profile rps",
        "p50 ms",
        "p99 ms",
        "peak RSS MiB",
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description="Benchmark the mock against Prism and the ceiling.")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=int, default=10, help="seconds of load per measurement")
    p.add_argument("--soak", type=int, default=200_000, help="mixed requests for the memory check")
    args = p.parse_args()
    wrk_binary, prism = ensure_wrk(), ensure_prism()

    work = Path(tempfile.mkdtemp())
    ours = Server("ours", [PYTHON, "-m", "mockserver", "--port", "{port}"])
    ours.start(18600)
    ours_cookie = session_cookie(18600)
    (work / "records.json").write_bytes(httpx.get(f"http://127.0.0.1:18600{RECORDS}").content)
    (work / "profile.json").write_bytes(
        httpx.get("http://127.0.0.1:18600/api/profile", headers={"Cookie": ours_cookie}).content
    )
    ours.stop()
    servers = [
        ours,
        Server(
            "prism",
            [str(prism), "mock", "openapi.yaml", "-h", "127.0.0.1", "-p", "{port}"],
            cookie="session=bench",
        ),
        Server(
            "ceiling",
            [
                PYTHON,
                "bench/ceiling.py",
                "{port}",
                str(work / "records.json"),
                str(work / "profile.json"),
            ],
        ),
    ]
    samples = {s.name: Samples() for s in servers}
    port = 18610
    for round_number in range(args.rounds):
        order = servers[round_number % 3 :] + servers[: round_number % 3]
        for server in order:
            port += 1
            print(f"round {round_number + 1}: {server.name}", flush=True)
            sample = samples[server.name]
            sample.startup.append(server.start(port))
            try:
                cookie = session_cookie(port) if server.name == "ours" else server.cookie
                base = f"http://127.0.0.1:{port}"
                sample.records.append(wrk(wrk_binary, base + RECORDS, args.duration))
                sample.profile.append(wrk(wrk_binary, base + "/api/profile", args.duration, cookie))
                sample.rss.append(server.peak_rss_mib())
            finally:
                server.stop()

    print()
    print(table([row(name, s) for name, s in samples.items()]))
    print()
    for endpoint in ("records", "profile"):
        mine = median([x.rps for x in getattr(samples["ours"], endpoint)])
        prisms = median([x.rps for x in getattr(samples["prism"], endpoint)])
        ceiling = median([x.rps for x in getattr(samples["ceiling"], endpoint)])
        print(f"{endpoint}: ours/prism {mine / prisms:.1f}x, ours/ceiling {mine / ceiling:.2f}x")
    startup = median(samples["ours"].startup) / median(samples["prism"].startup)
    print(f"start-up: ours/prism {startup:.2f}x")

    port += 1
    ours.start(port)
    try:
        cookie = session_cookie(port)
        before = ours.rss_mib()
        sent = soak(wrk_binary, port, cookie, args.soak)
        after = ours.rss_mib()
        print(
            f"memory: {before:.1f} MiB after start, {after:.1f} MiB after {sent:,} mixed "
            f"requests (+{after - before:.1f} MiB)"
        )
        journal = httpx.get(f"http://127.0.0.1:{port}/__mock/journal?limit=1").json()
        print(
            f"         the mock answered throughout: last request {journal[-1]['method']} "
            f"{journal[-1]['path']} -> {journal[-1]['status']}"
        )
    finally:
        ours.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
