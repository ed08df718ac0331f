"""Calls/s of the tokens endpoint, mock app against a bare Starlette app, by direct ASGI calls.

No sockets, no server, no HTTP parsing: each request is an ASGI ``(scope, receive, send)``
call awaited on one event loop, so the figure is what the application itself costs, and
a shared machine disturbs it far less than the wrk benchmark. Both apps get the same
requests as in bench/tokens.py (a new token each time, emails cycling through a pool),
in alternating rounds; the time is the process's CPU time. See bench/README.md.

    python bench/inprocess.py [--requests 20000] [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tokens import API_KEY, PATH, bare_app, mock_app  # noqa: E402

AUTH = b"Basic " + base64.b64encode(f"bench:{API_KEY}".encode())


def requests(start: int, count: int, pool: int) -> list[tuple[dict, bytes]]:
    """``count`` single-token requests, built before the clock starts."""
    out = []
    for n in range(start, start + count):
        body = b'{"tokens":[{"token":"%d","email":"user%d@bench.example"}]}' % (n, n % pool)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "scheme": "http",
            "method": "POST",
            "root_path": "",
            "path": PATH,
            "raw_path": PATH.encode(),
            "query_string": b"",
            "headers": [
                (b"host", b"127.0.0.1:8000"),
                (b"content-type", b"application/json"),
                (b"authorization", AUTH),
                (b"content-length", str(len(body)).encode()),
            ],
            "state": {},
        }
        out.append((scope, body))
    return out


async def drive(app, batch: list[tuple[dict, bytes]]) -> tuple[float, int]:
    """(CPU seconds, answers that were not 200) for awaiting ``app`` once per request."""
    statuses: list[int] = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.process_time()
    for scope, body in batch:
        message = {"type": "http.request", "body": body, "more_body": False}

        async def receive(message=message) -> dict:
            return message

        await app(scope, receive, send)
    elapsed = time.process_time() - started
    return elapsed, sum(1 for s in statuses if s != 200)


async def lifespan(app, queue: asyncio.Queue) -> asyncio.Task:
    """Run the app's startup, as a server would (the mock starts its background tasks there);
    putting ``lifespan.shutdown`` on ``queue`` later makes the task end."""
    started = asyncio.Event()

    async def send(message: dict) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    await queue.put({"type": "lifespan.startup"})
    task = asyncio.get_running_loop().create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}}, queue.get, send))
    await started.wait()
    return task


async def main_async(args: argparse.Namespace) -> int:
    apps = {"bare": bare_app(), "mock": mock_app(args.journal_size)}
    queue: asyncio.Queue = asyncio.Queue()
    running = await lifespan(apps["mock"], queue)
    per_call: dict[str, list[float]] = {"bare": [], "mock": []}
    failures = 0
    # One warm-up round each, then alternating measured rounds.
    for round_no in range(args.rounds + 1):
        for kind, app in apps.items():
            batch = requests(round_no * args.requests, args.requests, args.pool)
            if args.profile and kind == "mock" and round_no == 1:
                profiler = cProfile.Profile()
                profiler.enable()
                await drive(app, batch)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
                batch = requests(round_no * args.requests + 10**8, args.requests, args.pool)
            seconds, bad = await drive(app, batch)
            failures += bad
            if round_no == 0:
                continue
            per_call[kind].append(seconds / args.requests * 1e6)
            print(f"  round {round_no} {kind:4}: {args.requests / seconds:8.0f} calls/s, {seconds / args.requests * 1e6:6.1f} us/call")
    await queue.put({"type": "lifespan.shutdown"})
    await running
    bare, mock = statistics.median(per_call["bare"]), statistics.median(per_call["mock"])
    ratios = [b / m for b, m in zip(per_call["bare"], per_call["mock"], strict=True)]
    print(f"bare starlette : {1e6 / bare:8.0f} calls/s (median), {bare:.1f} us/call (spread {min(per_call['bare']):.1f}-{max(per_call['bare']):.1f})")
    print(f"mockserver     : {1e6 / mock:8.0f} calls/s (median), {mock:.1f} us/call (spread {min(per_call['mock']):.1f}-{max(per_call['mock']):.1f})")
    print(
        f"ratio mock/bare: {bare / mock:8.2f} (median of rounds {statistics.median(ratios):.2f}, "
        f"spread {min(ratios):.2f}-{max(ratios):.2f})"
    )
    if failures:
        print(f"{failures} answers were not 200", file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000, help="calls per round (default 20000)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds per app (default 5)")
    parser.add_argument("--pool", type=int, default=5000, help="distinct emails (default 5000)")
    parser.add_argument("--journal-size", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one extra mock round")
    args = parser.parse_args()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
