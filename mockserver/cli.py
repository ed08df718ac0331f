"""The ``mockserver`` command: argument parsing and the four commands; the work happens elsewhere.

    mockserver [serve] [--scenario FILE] ...   serve (the default)
    mockserver check FILE...                    validate scenario files without serving
    mockserver schema                           print the scenario JSON Schema
    mockserver verify FILE --url URL            check FILE's expect against a running server
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from . import memory
from .access import TOKEN_ENV, exposure_warning, is_loopback
from .app import DEFAULT_BODY_LIMIT, DEFAULT_JOURNAL_SIZE, Emulator
from .domain.errors import InvalidInput
from .domain.settings import Limits
from .domain.telegram.chats import MAX_CHATS
from .domain.telegram.updates import MAX_PENDING_UPDATES
from .faults import MAX_FAULT_BYTES
from .journal import BODY_PREVIEW, DEFAULT_JOURNAL_BYTES
from .middleware import WORLD_BODY_LIMIT
from .scenario import SCENARIO_SCHEMA, ScenarioError, find_scenario, load_scenario, normalize_scenario
from .scenario.bounds import MAX_ALIAS_NODES, MAX_FAULTS, MAX_GENERATED, MAX_SCENARIO_BYTES
from .serving import KEEP_ALIVE_SECONDS, EmulatorServer, server_config
from .statefile import StateFileError, read_state
from .waiting import MAX_WAITING
from .wire import CLIENT_TIMEOUT

COMMANDS = ("serve", "check", "schema", "verify")

BOUNDS_HELP = f"""\
fixed bounds (each refused with a message naming it when reached):
  request body              --body-limit; PUT /_mock/state and POST /_mock/scenario up to {WORLD_BODY_LIMIT >> 30} GiB
  journal                   --journal-size entries and --journal-bytes bytes, oldest dropped first
  update queue per bot      {MAX_PENDING_UPDATES:,} pending updates; users' actions towards a full bot: 409
  Telegram chats and users  {MAX_CHATS:,}; a send or user past it: 409 (sendMessage: chat not found)
  fault rules               {MAX_FAULTS:,} rules of at most {MAX_FAULT_BYTES // 1024} KiB of JSON each
  waiting requests          {MAX_WAITING:,} long polls and /_mock/requests/wait at once; more: 429
  scenario                  {MAX_SCENARIO_BYTES >> 20} MiB of text; YAML aliases add at most {MAX_ALIAS_NODES:,} nodes
  generate.count            {MAX_GENERATED:,} contacts per block and in all
  events, orders kept       the scenario's limits.events and limits.orders ({Limits.events:,} each by default); past them: 409
"""


def port_number(text: str) -> int:
    """A TCP port for argparse: 0..65535, so a wrong one is a usage error and not bind()'s traceback."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected a number from 0 to 65535") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {port}: expected a number from 0 to 65535")
    return port


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="Emulate the eSputnik Telegram-bot channel and the Telegram Bot API on one port. "
        "Other commands: mockserver check FILE..., mockserver schema, mockserver verify FILE --url URL.",
        epilog=BOUNDS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scenario", metavar="FILE", help="YAML scenario to start from, a file or a shipped name such as blocked_user (default: an empty world)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=8080, help="port to listen on; 0 picks a free one (default: 8080)")
    parser.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--journal-size", type=int, default=DEFAULT_JOURNAL_SIZE, help=f"request journal entries kept, oldest dropped first (default: {DEFAULT_JOURNAL_SIZE})")
    parser.add_argument(
        "--journal-bytes", type=int, default=DEFAULT_JOURNAL_BYTES, metavar="N",
        help=f"bytes the journal keeps, oldest entries dropped first; bodies count up to {BODY_PREVIEW // 1024} KiB each (default: {DEFAULT_JOURNAL_BYTES})",
    )
    parser.add_argument("--body-limit", type=int, default=DEFAULT_BODY_LIMIT, help="largest request body in bytes")
    parser.add_argument("--file-store-bytes", type=int, metavar="N", help="bytes the files bots send may hold in all, in memory (default: the scenario's limits.file_store_bytes, else 268435456)")
    parser.add_argument("--state-file", metavar="PATH", help="load the world from PATH when present; save it there on shutdown and on POST /_mock/snapshot")
    parser.add_argument(
        "--client-timeout", type=float, default=CLIENT_TIMEOUT, metavar="SECONDS",
        help="a request's headers must arrive within SECONDS of its first byte and its body may not pause longer "
        "(else 408); a client that stops reading its answers is dropped after as long; an idle connection is closed "
        f"after min({KEEP_ALIVE_SECONDS:g}, SECONDS) (default: {CLIENT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--control-token", metavar="TOKEN", default=os.environ.get(TOKEN_ENV) or None,
        help="require Authorization: Bearer TOKEN on /_mock (all but /_mock/health); "
        f"default: ${TOKEN_ENV}, else none (fine on 127.0.0.1, a risk on a shared address)",
    )
    parser.add_argument("--watch", action="store_true", help="reload the scenario (and reset to it) when its file changes")
    return parser


class Server(EmulatorServer):
    """The emulator's server that says where everything is once it listens."""

    def __init__(self, config: uvicorn.Config, emulator: Emulator, base_url: str) -> None:
        super().__init__(config, emulator)
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
        print(f"dashboard: {self.base_url}/_mock/ui", flush=True)


def fail(message: str) -> int:
    print(f"mockserver: {message}", file=sys.stderr)
    return 2


def build_emulator(args: argparse.Namespace) -> Emulator:
    """The emulator the options describe; ScenarioError / StateFileError when they cannot be honoured."""
    scenario = load_scenario(args.scenario) if args.scenario else normalize_scenario({})
    state_file = Path(args.state_file) if args.state_file else None
    watch = find_scenario(args.scenario) if args.watch and args.scenario else None
    emulator = Emulator(
        scenario,
        journal_size=args.journal_size,
        journal_bytes=args.journal_bytes,
        body_limit=args.body_limit,
        state_file=state_file,
        watch=watch,
        control_token=args.control_token,
        file_store_bytes=args.file_store_bytes,
    )
    if state_file is not None:
        saved = read_state(state_file)
        if saved is not None:
            try:
                with memory.rebuilding(lambda: len(emulator.world.contacts)):
                    emulator.restore(saved)
            except InvalidInput as exc:
                raise StateFileError(f"state file {state_file} is damaged ({exc}); move it away or delete it to start afresh") from None
    return emulator


def serve(argv: list[str]) -> int:
    args = serve_parser().parse_args(argv)
    if args.journal_size < 1 or args.body_limit < 1 or args.journal_bytes < 1:
        return fail("--journal-size, --journal-bytes and --body-limit must be positive")
    if not args.client_timeout > 0:
        return fail("--client-timeout must be a positive number of seconds")
    if args.file_store_bytes is not None and args.file_store_bytes < 1:
        return fail("--file-store-bytes must be positive")
    if args.watch and not args.scenario:
        return fail("--watch needs --scenario FILE")
    try:
        emulator = build_emulator(args)
    except (ScenarioError, StateFileError) as exc:
        return fail(str(exc))
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
    except OSError as exc:
        return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    if emulator.control_token is None and not is_loopback(host):
        print(exposure_warning(shown, port), file=sys.stderr, flush=True)
    config = server_config(emulator, args.log_level, args.client_timeout)
    Server(config, emulator, f"http://{shown}:{port}").run(sockets=[sock])
    return 0


def check(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mockserver check", description="Validate scenario files without serving.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)
    status = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            print(str(exc), file=sys.stderr)
            status = 2
            continue
        print(f"{name}: ok ({scenario['name'] or 'unnamed'})")
    return status


def schema(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="mockserver schema", description="Print the scenario JSON Schema.").parse_args(argv)
    print(json.dumps(SCENARIO_SCHEMA, indent=2))
    return 0


def verify(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="mockserver verify", description="Check a scenario's expect against a running emulator (exit 1 on failure)."
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--url", required=True, help="base URL of the running emulator, e.g. http://127.0.0.1:8080")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument(
        "--control-token", metavar="TOKEN", default=os.environ.get(TOKEN_ENV) or None,
        help=f"the emulator's control token, if it has one (default: ${TOKEN_ENV})",
    )
    args = parser.parse_args(argv)
    try:
        scenario = load_scenario(args.file)
    except ScenarioError as exc:
        return fail(str(exc))
    payload = json.dumps({"expect": scenario["expect"]}).encode()
    headers = {"Content-Type": "application/json"}
    if args.control_token:
        headers["Authorization"] = f"Bearer {args.control_token}"
    request = urllib.request.Request(args.url.rstrip("/") + "/_mock/verify", payload, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=args.timeout) as response:
            result = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return fail(f"{args.url} refused the expectations ({exc.code}): {exc.read().decode('utf-8', 'replace')}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return fail(f"cannot reach {args.url}: {getattr(exc, 'reason', exc)}")
    for failure in result["failures"]:
        for reason in failure["reasons"]:
            print(f"FAIL expect[{failure['index']}]: {reason}")
    verdict = "passed" if result["passed"] else "failed"
    print(f"{args.file}: {verdict} ({result['checked']} checked, {len(result['failures'])} failed)")
    return 0 if result["passed"] else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv and argv[0] in COMMANDS else "serve"
    rest = argv[1:] if argv and argv[0] in COMMANDS else argv
    try:
        return {"serve": serve, "check": check, "schema": schema, "verify": verify}[command](rest)
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        # The reader left early (``mockserver schema | head``): nothing more to say, and no traceback,
        # not even from the interpreter flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
