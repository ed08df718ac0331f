"""The emulator at 1 k, 10 k, 100 k and 1 M contacts, against a bare Starlette server in the same run.

For each size it starts a mockserver whose scenario generates that many contacts, each with
an email and a token of one bot, and measures over a real socket (127.0.0.1):

- loading: wall and CPU seconds to build the world, resident memory after it, bytes per contact;
- single-token latency: ``POST /api/v1/apps/{app_uuid}/tokens`` with one item naming an existing
  contact by email (a new token each time), one request at a time on a kept-alive connection;
- ``GET /_mock/state`` and ``PUT /_mock/state`` of the whole world;
- a broadcast to every subscriber (up to ``--broadcast-max``), while ``/_mock/health`` and a token
  registration are asked every 10 ms on connections of their own: how long the broadcast takes
  and how long those answers take meanwhile.

The bare server (Starlette on the same uvicorn settings) answers the same token requests after
parsing them, ``/health`` with a constant, and ``/state`` by parsing the PUT body and writing it
back (``orjson`` both ways), which is what any JSON server pays for the document alone; the
ratios mock/bare say what the emulator adds. See bench/README.md.

    python bench/scale.py [--sizes 1000,10000,100000,1000000] [--write-readme]

Exit status: 0 when every request was answered as expected, 1 otherwise.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
API_KEY = "bench-key"
TOKENS = f"/api/v1/apps/{APP_UUID}/tokens"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"bench:{API_KEY}".encode()).decode(), "Content-Type": "application/json"}
README = ROOT / "bench" / "README.md"
BEGIN, END = "<!-- scale.py table: begin -->", "<!-- scale.py table: end -->"


def scenario(count: int) -> dict:
    return {
        "name": f"scale_{count}",
        "account": {"api_keys": [API_KEY]},
        "bots": [{"app_uuid": APP_UUID, "token": "123456789:" + "A" * 35, "username": "bench_bot"}],
        "generate": {"count": count, "email": "user{n}@bench.example", "tokens": {"bench_bot": ["{n}"]}},
    }


# -- the servers (child processes) ------------------------------------------------------------------


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def bare_app():
    import orjson
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    stored = {"body": b"{}"}

    async def tokens(request: Request) -> Response:
        orjson.loads(await request.body())
        return Response(b'{"results":{}}', media_type="application/json")

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    async def state(request: Request) -> Response:
        if request.method == "PUT":
            stored["body"] = orjson.dumps(orjson.loads(await request.body()))
        return Response(stored["body"], media_type="application/json")

    return Starlette(routes=[
        Route(TOKENS, tokens, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/state", state, methods=["GET", "PUT"]),
    ])


def serve(kind: str, count: int) -> None:
    import uvicorn

    from mockserver.wire import HttpProtocol

    before = rss_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    if kind == "bare":
        app, http = bare_app(), "httptools"
    else:
        from mockserver import Emulator, create_app
        from mockserver.scenario import normalize_scenario

        app, http = create_app(Emulator(normalize_scenario(scenario(count)))), HttpProtocol
    load = {"load_s": time.perf_counter() - started, "load_cpu_s": time.process_time() - cpu,
            "rss_before": before, "rss_after": rss_bytes(),
            "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, loop="uvloop", http=http, access_log=False, log_level="warning", lifespan="on",
                            timeout_keep_alive=600)
    print(json.dumps({"port": sock.getsockname()[1], **load}), flush=True)
    uvicorn.Server(config).run(sockets=[sock])


class Server:
    def __init__(self, kind: str, count: int = 0) -> None:
        self.kind = kind
        command = [sys.executable, __file__, "--serve", kind, "--count", str(count)]
        self.proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        try:
            self.load = json.loads(line)
        except ValueError:
            self.stop()
            raise SystemExit(f"bench: the {kind} server did not start") from None
        self.port = self.load["port"]
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"bench: the {kind} server does not accept connections") from None
                time.sleep(0.05)

    def connection(self, timeout: float = 600) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def rss(self) -> int:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def cpu_ns(self) -> int:
        """Nanoseconds the server's main thread (the event loop) has run on a CPU."""
        try:
            return int(Path(f"/proc/{self.proc.pid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- the measurements --------------------------------------------------------------------------------

failures = 0


def call(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
         headers: dict | None = None, expect: int = 200) -> tuple[float, bytes]:
    """(seconds until the whole answer was read, the answer's body)."""
    global failures
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    if response.status != expect:
        failures += 1
        print(f"  {method} {path}: {response.status} {data[:200]!r}", file=sys.stderr)
    return elapsed, data


def token_body(n: int, count: int, serial: int) -> bytes:
    return b'{"tokens":[{"token":"t%d","email":"user%d@bench.example"}]}' % (serial, n % count + 1)


def token_latency(mock: Server, bare: Server, count: int, requests: int, rounds: int) -> dict:
    """Median and p99 of one-token calls, mock and bare in alternating rounds, and the servers'
    CPU time per call (median of the rounds), which a loaded machine disturbs far less."""
    times: dict[str, list[float]] = {"mock": [], "bare": []}
    cpu: dict[str, list[float]] = {"mock": [], "bare": []}
    servers = {"mock": mock, "bare": bare}
    conns = {"mock": mock.connection(), "bare": bare.connection()}
    serial = count * 10
    for round_no in range(rounds + 1):  # the first round warms up
        for kind, conn in conns.items():
            started = servers[kind].cpu_ns()
            for _ in range(requests):
                serial += 1
                elapsed, _ = call(conn, "POST", TOKENS, token_body(serial * 7919, count, serial), AUTH)
                if round_no:
                    times[kind].append(elapsed)
            if round_no:
                cpu[kind].append((servers[kind].cpu_ns() - started) / requests / 1e3)
    result: dict = {kind: (statistics.median(t) * 1e6, quantile(t, 0.99) * 1e6) for kind, t in times.items()}
    result["cpu"] = {kind: statistics.median(c) for kind, c in cpu.items()}
    return result


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def state_times(mock: Server, bare: Server, repeats: int) -> dict:
    mock_conn, bare_conn = mock.connection(), bare.connection()
    gets, puts, bare_gets, bare_puts, put_cpu = [], [], [], [], []
    document = b""
    for _ in range(repeats):
        elapsed, document = call(mock_conn, "GET", "/_mock/state")
        gets.append(elapsed)
        started = mock.cpu_ns()
        elapsed, answer = call(mock_conn, "PUT", "/_mock/state", document, {"Content-Type": "application/json"})
        put_cpu.append((mock.cpu_ns() - started) / 1e9)
        puts.append(elapsed)
        if answer != document:
            global failures
            failures += 1
            print("  PUT /_mock/state did not answer with the document it was given", file=sys.stderr)
        bare_puts.append(call(bare_conn, "PUT", "/state", document, {"Content-Type": "application/json"})[0])
        bare_gets.append(call(bare_conn, "GET", "/state")[0])
    return {"bytes": len(document), "get": min(gets), "put": min(puts), "bare_get": min(bare_gets), "bare_put": min(bare_puts),
            "put_cpu": min(put_cpu)}


def broadcast(mock: Server, bare: Server, count: int) -> dict:
    """Broadcast to every subscriber while health and token calls are asked every 10 ms."""
    conn = mock.connection()
    _, created = call(conn, "POST", "/api/v1/messages/telegram",
                      b'{"name":"Sale","text":"Hi, see https://shop.example/sale"}', AUTH)
    message_id = json.loads(created)["id"]
    body = json.dumps({"messageId": message_id, "appId": APP_UUID}).encode()
    done = threading.Event()
    probes: dict[str, list[float]] = {"health": [], "tokens": [], "bare_health": []}

    def probe(name: str, server: Server, method: str, path: str, make_body, headers: dict) -> None:
        probe_conn = server.connection(timeout=60)
        serial = 0
        while not done.is_set():
            serial += 1
            probes[name].append(call(probe_conn, method, path, make_body(serial), headers)[0])
            time.sleep(0.01)

    threads = [
        threading.Thread(target=probe, args=("health", mock, "GET", "/_mock/health", lambda s: None, {})),
        threading.Thread(target=probe, args=("tokens", mock, "POST", TOKENS,
                                             lambda s: token_body(s * 104729, count, 10**9 + s), AUTH)),
        threading.Thread(target=probe, args=("bare_health", bare, "GET", "/health", lambda s: None, {})),
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    elapsed, answer = call(conn, "POST", "/api/v1/broadcast", body, AUTH)
    done.set()
    for thread in threads:
        thread.join()
    _, state = call(conn, "GET", "/_mock/state")
    sent = len(json.loads(state)["deliveries"])
    result = {"seconds": elapsed, "deliveries": sent}
    for name, values in probes.items():
        result[name] = (quantile(values, 0.5) * 1e3, quantile(values, 0.99) * 1e3, max(values) * 1e3, len(values))
    return result


# -- the report ----------------------------------------------------------------------------------------


def size_label(count: int) -> str:
    return f"{count // 1_000_000} M" if count >= 1_000_000 else f"{count // 1000} k"


def table(rows: list[dict]) -> str:
    lines = [
        "| contacts | load s (CPU s) | RSS MB | bytes/contact | token µs median mock / bare (p99 mock) "
        "| token vs 1 k: mock, mock/bare | token server CPU µs mock / bare, mock vs 1 k "
        "| GET state s (bare) | PUT state s (bare), server CPU s | state MB | broadcast s | health ms p50/p99/max "
        "| token ms p50/p99/max during it |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    first = rows[0]["tokens"] if rows else None
    for row in rows:
        tokens = row["tokens"]
        mock, bare, cpu = tokens["mock"], tokens["bare"], tokens["cpu"]
        base = first or tokens
        state, cast = row.get("state"), row.get("broadcast")
        lines.append(" | ".join([
            f"| {size_label(row['count'])}",
            f"{row['load']['load_s']:.2f} ({row['load']['load_cpu_s']:.2f})",
            f"{row['load']['rss_after'] / 2**20:.0f}",
            f"{row['bytes_per_contact']:.0f}",
            f"{mock[0]:.0f} / {bare[0]:.0f} ({mock[1]:.0f})",
            f"{mock[0] / base['mock'][0]:.2f}, {(mock[0] / bare[0]) / (base['mock'][0] / base['bare'][0]):.2f}",
            f"{cpu['mock']:.0f} / {cpu['bare']:.0f}, {cpu['mock'] / base['cpu']['mock']:.2f}",
            f"{state['get']:.2f} ({state['bare_get']:.2f})" if state else "-",
            f"{state['put']:.2f} ({state['bare_put']:.2f}), CPU {state['put_cpu']:.2f}" if state else "-",
            f"{state['bytes'] / 2**20:.0f}" if state else "-",
            f"{cast['seconds']:.2f}" if cast else "-",
            "{:.1f} / {:.1f} / {:.1f}".format(*cast["health"][:3]) if cast else "-",
            "{:.1f} / {:.1f} / {:.1f} |".format(*cast["tokens"][:3]) if cast else "- |",
        ]))
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text()
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        readme = head + BEGIN + "\n" + text + "\n" + END + rest.split(END, 1)[1]
    else:
        readme = readme.rstrip("\n") + "\n\n" + BEGIN + "\n" + text + "\n" + END + "\n"
    README.write_text(readme)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="contact counts, comma-separated")
    parser.add_argument("--requests", type=int, default=500, help="token calls per round and server (default 500)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating token rounds (default 4)")
    parser.add_argument("--state-repeats", type=int, default=3, help="GET/PUT pairs per size; the best is shown (default 3)")
    parser.add_argument("--state-max", type=int, default=1_000_000, help="largest size whose state is measured")
    parser.add_argument("--broadcast-max", type=int, default=100_000, help="largest size broadcast to (default 100000)")
    parser.add_argument("--write-readme", action="store_true", help="put the table into bench/README.md")
    parser.add_argument("--serve", choices=["bare", "mock"], help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.count)
        return 0

    with open("/proc/loadavg") as handle:
        load_before = handle.read().split()[:3]
    rows = []
    bare = Server("bare")
    try:
        for count in (int(s) for s in args.sizes.split(",")):
            print(f"{size_label(count)} contacts: starting", flush=True)
            mock = Server("mock", count)
            try:
                row: dict = {"count": count, "load": mock.load}
                row["bytes_per_contact"] = (mock.load["rss_after"] - mock.load["rss_before"]) / count
                print(f"  load {mock.load['load_s']:.2f} s (CPU {mock.load['load_cpu_s']:.2f} s), "
                      f"RSS {mock.load['rss_after'] / 2**20:.0f} MB, {row['bytes_per_contact']:.0f} bytes/contact", flush=True)
                row["tokens"] = token_latency(mock, bare, count, args.requests, args.rounds)
                print("  token µs median/p99: mock {:.0f}/{:.0f}, bare {:.0f}/{:.0f}; server CPU µs mock {:.0f}, bare {:.0f}".format(
                    *row["tokens"]["mock"], *row["tokens"]["bare"], row["tokens"]["cpu"]["mock"], row["tokens"]["cpu"]["bare"]), flush=True)
                if count <= args.state_max:
                    row["state"] = state_times(mock, bare, args.state_repeats)
                    s = row["state"]
                    print(f"  state {s['bytes'] / 2**20:.0f} MB: GET {s['get']:.2f} s (bare {s['bare_get']:.2f}), "
                          f"PUT {s['put']:.2f} s (bare {s['bare_put']:.2f}, server CPU {s['put_cpu']:.2f} s)", flush=True)
                if count <= args.broadcast_max:
                    row["broadcast"] = cast = broadcast(mock, bare, count)
                    print(f"  broadcast to {cast['deliveries']}: {cast['seconds']:.2f} s; ms p50/p99/max (samples): "
                          "health {:.1f}/{:.1f}/{:.1f} ({}), ".format(*cast["health"])
                          + "tokens {:.1f}/{:.1f}/{:.1f} ({}), ".format(*cast["tokens"])
                          + "bare health {:.1f}/{:.1f}/{:.1f} ({})".format(*cast["bare_health"]), flush=True)
                row["peak_rss"] = mock.rss()
                print(f"  peak RSS {row['peak_rss'] / 2**20:.0f} MB", flush=True)
            finally:
                mock.stop()
            rows.append(row)
    finally:
        bare.stop()
    with open("/proc/loadavg") as handle:
        load_after = handle.read().split()[:3]
    text = table(rows)
    print(text)
    print(f"load average before {' '.join(load_before)}, after {' '.join(load_after)}")
    if args.write_readme:
        write_readme(text + f"\n\nLoad average before the run {' '.join(load_before)}, after it {' '.join(load_after)}.")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
