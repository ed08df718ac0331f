"""Requests/s of ``POST /api/v1/apps/{app_uuid}/tokens`` against a bare Starlette endpoint.

Both servers run in the same invocation, each in its own uvicorn process (httptools,
uvloop, no access log), pinned to one CPU with ``taskset`` when it is available, and
are driven by the same wrk command with the same Lua script, in alternating rounds so
that the noise of a shared machine falls on both alike. See bench/README.md.

    python bench/tokens.py [--duration 8] [--rounds 3] [--connections 32]

Exit status: 0 when every request of every round was answered 2xx, 1 otherwise.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
API_KEY = "bench-key"
PATH = f"/api/v1/apps/{APP_UUID}/tokens"
SCENARIO = {
    "account": {"api_keys": [API_KEY]},
    "bots": [{"app_uuid": APP_UUID, "token": "123456789:" + "A" * 35, "username": "bench_bot"}],
}

# One single-token item per request. The token counts up per wrk thread, so every request
# adds a token the world has not seen; the email cycles through a pool, so the first pass
# creates contacts and later passes find them by email (resolution on both paths).
LUA = """
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = (tonumber(args[1]) or 0) + (tonumber(id) or 0)
end

function request()
  counter = counter + 1
  local n = thread_id * 100000000 + counter  -- unique per thread and round
  local body = string.format('{"tokens":[{"token":"%d","email":"user%d@bench.example"}]}', n, n % POOL)
  return wrk.format("POST", PATH, HEADERS, body)
end
"""


# -- the two servers (run in child processes) -------------------------------------------------------


def bare_app():
    """The yardstick: route the same path, parse the JSON, answer 200 with nothing."""
    import orjson
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def tokens(request: Request) -> Response:
        orjson.loads(await request.body())
        return Response(status_code=200)

    return Starlette(routes=[Route("/api/v1/apps/{app_uuid}/tokens", tokens, methods=["POST"])])


def mock_app(journal_size: int):
    from mockserver import Emulator, create_app
    from mockserver.scenario import normalize_scenario

    return create_app(Emulator(normalize_scenario(SCENARIO), journal_size=journal_size))


def serve(kind: str, journal_size: int) -> None:
    import uvicorn

    app = bare_app() if kind == "bare" else mock_app(journal_size)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # The mock is served as the CLI serves it, header respelling included (mockserver.wire).
    from mockserver.wire import HttpProtocol

    http = "httptools" if kind == "bare" else HttpProtocol
    config = uvicorn.Config(app, loop="uvloop", http=http, access_log=False, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    print(sock.getsockname()[1], flush=True)
    server.run(sockets=[sock])


# -- the driver ------------------------------------------------------------------------------------


def pinned(command: list[str], cpu: int | None) -> list[str]:
    if cpu is None or shutil.which("taskset") is None:
        return command
    return ["taskset", "-c", str(cpu), *command]


class Server:
    def __init__(self, kind: str, cpu: int | None, journal_size: int) -> None:
        self.kind = kind
        command = [sys.executable, __file__, "--serve", kind, "--journal-size", str(journal_size)]
        self.proc = subprocess.Popen(
            pinned(command, cpu), cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.strip().isdigit():
            self.stop()
            raise SystemExit(f"bench: the {kind} server did not start")
        self.url = f"http://127.0.0.1:{int(line)}"
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", int(self.url.rsplit(":", 1)[1])), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit(f"bench: the {self.kind} server does not accept connections")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wrk(url: str, script: Path, args: argparse.Namespace, cpu: int | None, run: int) -> tuple[float, int, int]:
    """(requests/s, requests, non-2xx answers) of one wrk run; ``run`` keeps its tokens apart from other runs'."""
    command = pinned(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "-s", str(script), url,
         "--", str(run * args.threads)],
        cpu,
    )
    out = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 30, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    if errors:
        print(f"  wrk: {errors.group(0)}")
    return rate, total, int(bad.group(1)) if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per server (default 3)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--pool", type=int, default=5000, help="distinct emails in the bodies (default 5000)")
    parser.add_argument("--journal-size", type=int, default=10_000, help="the mockserver's journal bound")
    parser.add_argument("--serve", choices=["bare", "mock"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.journal_size)
        return 0
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2

    cpus = sorted(os.sched_getaffinity(0))
    server_cpu = cpus[0] if len(cpus) > 1 else None
    load_cpu = cpus[1] if len(cpus) > 1 else None
    auth = base64.b64encode(f"bench:{API_KEY}".encode()).decode()
    headers = '{["Content-Type"] = "application/json", ["Authorization"] = "Basic %s"}' % auth  # noqa: UP031 (a Lua table: braces would need doubling)
    lua = LUA.replace("POOL", str(args.pool)).replace("PATH", f'"{PATH}"').replace("HEADERS", headers)

    servers = {}
    rates: dict[str, list[float]] = {"bare": [], "mock": []}
    cpu_per_request: dict[str, list[float]] = {"bare": [], "mock": []}
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "tokens.lua"
        script.write_text(lua)
        try:
            for kind in ("bare", "mock"):
                servers[kind] = Server(kind, server_cpu, args.journal_size)
            print(
                f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, servers on CPU {server_cpu}, "
                f"wrk on CPU {load_cpu}, {args.rounds} alternating rounds"
            )
            for round_no in range(1, args.rounds + 1):
                for kind in ("bare", "mock"):
                    cpu_before = servers[kind].cpu_seconds()
                    rate, total, bad = wrk(servers[kind].url + PATH, script, args, load_cpu, round_no)
                    cpu = (servers[kind].cpu_seconds() - cpu_before) / total * 1e6
                    rates[kind].append(rate)
                    cpu_per_request[kind].append(cpu)
                    failures += bad
                    note = f", {bad} non-2xx" if bad else ""
                    print(f"  round {round_no} {kind:4}: {rate:9.0f} req/s, {cpu:6.1f} us server CPU/request ({total} requests{note})")
            with urllib.request.urlopen(servers["mock"].url + "/_mock/requests", timeout=30) as r:
                journal = r.read()
            with urllib.request.urlopen(servers["mock"].url + "/_mock/state", timeout=30) as r:
                state = r.read()
        finally:
            for server in servers.values():
                server.stop()

    import orjson

    journal_data, state_data = orjson.loads(journal), orjson.loads(state)
    bare, mock = statistics.median(rates["bare"]), statistics.median(rates["mock"])
    bare_cpu, mock_cpu = statistics.median(cpu_per_request["bare"]), statistics.median(cpu_per_request["mock"])
    round_ratios = [m / b for m, b in zip(rates["mock"], rates["bare"], strict=True)]
    print(
        f"mockserver world: {len(state_data['contacts'])} contacts, "
        f"{state_data['apps'][0]['subscribers']} subscribers; journal holds "
        f"{len(journal_data['requests'])} entries, dropped {journal_data['dropped']}"
    )
    print(f"bare starlette : {bare:9.0f} req/s (median)")
    print(f"mockserver     : {mock:9.0f} req/s (median)")
    print(f"ratio          : {mock / bare:9.2f} (goal >= 0.70); per round: {', '.join(f'{r:.2f}' for r in round_ratios)}")
    print(
        f"server CPU/request: bare {bare_cpu:.1f} us, mockserver {mock_cpu:.1f} us; "
        f"CPU ratio bare/mock {bare_cpu / mock_cpu:.2f} (what the ratio would be on an idle CPU)"
    )
    best_bare, best_mock = min(cpu_per_request["bare"]), min(cpu_per_request["mock"])
    print(
        f"least disturbed rounds: bare {best_bare:.1f} us, mockserver {best_mock:.1f} us; "
        f"CPU ratio {best_bare / best_mock:.2f}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
