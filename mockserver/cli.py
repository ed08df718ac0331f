"""The ``mockserver`` command: argument parsing and start-up; the work happens elsewhere."""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
from typing import Iterator

import uvicorn

from .app import DEFAULT_BODY_LIMIT, DEFAULT_JOURNAL_SIZE, Emulator, create_app
from .scenario import ScenarioError, load_scenario, normalize_scenario
from .wire import HttpProtocol


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="Emulate the eSputnik Telegram-bot channel and the Telegram Bot API on one port.",
    )
    parser.add_argument("--scenario", metavar="FILE", help="YAML scenario to start from (default: an empty world)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on; 0 picks a free one (default: 8080)")
    parser.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--journal-size", type=int, default=DEFAULT_JOURNAL_SIZE, help="request journal entries kept")
    parser.add_argument("--body-limit", type=int, default=DEFAULT_BODY_LIMIT, help="largest request body in bytes")
    return parser


class Server(uvicorn.Server):
    """uvicorn's server that says where everything is once it listens."""

    def __init__(self, config: uvicorn.Config, emulator: Emulator, base_url: str) -> None:
        super().__init__(config)
        self.emulator = emulator
        self.base_url = base_url

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Stop on SIGINT/SIGTERM and exit 0: a requested stop is a clean one.

        uvicorn re-raises the captured signal once it has shut down, which kills the
        process by that signal (status -15 for SIGTERM); forgetting it keeps the exit clean.
        """
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        print(f"mockserver listening on {self.base_url}", flush=True)
        for app in self.emulator.world.apps:
            print(f"bot @{app.username}: app_uuid {app.app_uuid} -> {self.base_url}/api/v1/apps/{app.app_uuid}/tokens", flush=True)


def fail(message: str) -> int:
    print(f"mockserver: {message}", file=sys.stderr)
    return 2


def serve(argv: list[str]) -> int:
    args = serve_parser().parse_args(argv)
    try:
        scenario = load_scenario(args.scenario) if args.scenario else normalize_scenario({})
    except ScenarioError as exc:
        return fail(str(exc))
    if args.journal_size < 1 or args.body_limit < 1:
        return fail("--journal-size and --body-limit must be positive")
    emulator = Emulator(scenario, journal_size=args.journal_size, body_limit=args.body_limit)
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
    except OSError as exc:
        return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(
        create_app(emulator), http=HttpProtocol, log_level=args.log_level, access_log=False, lifespan="on"
    )
    Server(config, emulator, f"http://{shown}:{port}").run(sockets=[sock])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        return serve(argv)
    except KeyboardInterrupt:
        return 0
