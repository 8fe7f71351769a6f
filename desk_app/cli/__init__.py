"""The `desk-app` command: global options, plug-in subcommands and the one error boundary.

Each module named in COMMAND_MODULES that exists exposes `register(subparsers)`; it adds its
parsers and sets `handler=` (a callable `(args, out) -> int | None`) with `set_defaults`.
Exit codes (DESIGN.md section 8): 0 ok, 1 bad input or partly done, 2 usage, 3 environment,
4 tampering.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desk_app.domain.errors import InvalidInput, PermissionDenied
from desk_app.services.errors import environment_errors

log = logging.getLogger("desk_app.cli")

COMMAND_MODULES = [
    "desk_app.cli.core",
    "desk_app.cli.sync",
    "desk_app.cli.printing",
    "desk_app.cli.app",
    "desk_app.cli.ops",
    "desk_app.cli.attachments",
]

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_ENV = 3
EXIT_TAMPER = 4


class CommandError(Exception):
    """A handler's own failure with a Persian message and an exit code (default: bad input)."""

    def __init__(self, message: str, exit_code: int = EXIT_INPUT):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class Output:
    """Where a handler writes: JSON alone on stdout with --json; messages always on stderr."""

    def __init__(self, json_mode: bool, stdout=None, stderr=None):
        self.json_mode = json_mode
        self._stdout = stdout
        self._stderr = stderr

    @property
    def stdout(self):
        return self._stdout or sys.stdout

    @property
    def stderr(self):
        return self._stderr or sys.stderr

    def json(self, obj: Any) -> None:
        """Print one JSON document on stdout (UTF-8, not ASCII-escaped)."""
        self.stdout.write(json.dumps(obj, ensure_ascii=False, indent=None, default=_json_default) + "\n")
        self.stdout.flush()

    def json_stream(self, items) -> None:
        """Print a JSON array item by item (a million requests never sit in memory at once)."""
        w = self.stdout.write
        w("[")
        for i, item in enumerate(items):
            w(("," if i else "") + json.dumps(item, ensure_ascii=False, default=_json_default))
        w("]\n")
        self.stdout.flush()

    def result(self, obj: Any, text: str | None = None) -> None:
        """With --json print `obj`; otherwise print `text` (human form) on stdout."""
        if self.json_mode:
            self.json(obj)
        elif text is not None:
            self.stdout.write(text + ("" if text.endswith("\n") else "\n"))
            self.stdout.flush()

    def info(self, text: str) -> None:
        """A line for the user that is not the result: always stderr."""
        self.stderr.write(text + "\n")
        self.stderr.flush()

    error = info
    warn = info


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Give a subcommand `--json` (it also works before the subcommand)."""
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print only JSON on standard output"
    )


def home_of(args: argparse.Namespace) -> Path:
    return Path(args.home) if args.home else _default_home()


def _default_home() -> Path:
    from desk_app.paths import default_home

    return default_home()


@contextlib.contextmanager
def open_desk(args: argparse.Namespace, *, initialised: bool = True) -> Iterator[Any]:
    """Open the data folder of `--home` as a `Desk`; refuse an uninitialised one if asked."""
    from desk_app.services.context import Desk

    desk = Desk.open(home_of(args))
    try:
        if initialised and not desk.is_initialised:
            raise CommandError("این دستگاه هنوز راه‌اندازی نشده است؛ ابتدا «desk-app init» را اجرا کنید.", EXIT_INPUT)
        yield desk
    finally:
        desk.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="desk-app", description="میز پیشخوان — Pishkhan Desk")
    parser.add_argument(
        "--home", default=os.environ.get("DESK_APP_HOME") or None, help="data folder (env DESK_APP_HOME)"
    )
    parser.add_argument("--json", action="store_true", default=False, help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="store_true", help="log details on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = _import_plugin(name)
        if module is not None:
            module.register(sub)
    parser.set_defaults(handler=None)
    return parser


def _import_plugin(name: str):
    """Import a command module; only its own absence is tolerated, never a broken import inside it."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def _utf8_streams() -> None:
    """Windows consoles default to a legacy code page; Persian must come out as UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(encoding="utf-8", errors="replace")


def _env_error_classes() -> tuple[type[BaseException], ...]:
    # StoreError, and the printer's and sync's errors once their modules are loaded: the CLI never
    # pulls printing (Qt) or sync in by itself (desk_app.services.errors)
    return environment_errors()


def _message(exc: BaseException) -> str:
    return getattr(exc, "message", None) or str(exc)


def run(args: argparse.Namespace, handler: Callable[..., Any], out: Output) -> int:
    """The error boundary: known failures become a Persian message and an exit code."""
    try:
        code = handler(args, out)
        return EXIT_OK if code is None else int(code)
    except CommandError as exc:
        out.error(exc.message)
        return exc.exit_code
    except PermissionDenied as exc:
        out.error(_message(exc))
        return EXIT_INPUT
    except InvalidInput as exc:
        out.error(_message(exc))
        for problem in getattr(exc, "problems", None) or []:
            if problem != _message(exc):
                out.error("  - " + problem)
        return EXIT_INPUT
    except _env_error_classes() as exc:
        out.error(_message(exc))
        return EXIT_ENV
    except BrokenPipeError:  # `desk-app request list | head`: the reader left, nothing is wrong
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the exit flush quiet
        return EXIT_OK
    except OSError as exc:
        log.warning("environment error: %s", type(exc).__name__)
        out.error(f"خطای محیط اجرا (فایل، دیسک یا شبکه): {exc.strerror or exc}")
        return EXIT_ENV
    except KeyboardInterrupt:
        out.error("لغو شد.")
        return 130


def main(argv: list[str] | None = None) -> int:
    """Entry point of `desk-app`; returns the exit code."""
    _utf8_streams()
    parser = build_parser()
    if argv is None:
        argv = sys.argv[1:]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage error or --help
        return int(exc.code or 0)
    handler = args.handler
    if args.command is None:
        gui = sub_handler(parser, "gui")
        if gui is None:
            sys.stderr.write("رابط گرافیکی در این نسخه در دسترس نیست.\n")
            return EXIT_ENV
        handler = gui
        args = parser.parse_args([*argv, "gui"])
    if handler is None:  # a command group given without its subcommand, e.g. `desk-app user`
        sys.stderr.write(f"دستور ناقص است: desk-app {' '.join(argv)} --help را ببینید.\n")
        return EXIT_USAGE
    out = Output(json_mode=bool(getattr(args, "json", False)))
    logged = _start_logging(args)
    try:
        log.info("desk-app %s", args.command)
        code = run(args, handler, out)
        log.info("desk-app %s -> exit %d", args.command, code)
        return code
    finally:
        if logged:
            from desk_app.logs import shutdown_logging

            shutdown_logging()


# Commands that choose their own folder (demo) or use a throw-away one (self-test): no log in home.
NO_HOME_LOG = {"demo", "self-test"}


def _start_logging(args: argparse.Namespace) -> bool:
    """Every command logs to `<home>/logs/desk-app.log` (the data folder is made by the command
    anyway when it opens the database); `--verbose` also shows INFO lines on stderr, otherwise
    only warnings go there. Returns whether file logging was set up."""
    level = logging.INFO if args.verbose else logging.WARNING
    if args.command in NO_HOME_LOG:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        return False
    from desk_app.logs import setup_logging

    try:
        setup_logging(home_of(args), console=True, console_level=level)
    except OSError as exc:  # a read-only or missing drive: the command still runs, unlogged
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        log.warning("no log file: %s", type(exc).__name__)
        return False
    return True


def sub_handler(parser: argparse.ArgumentParser, name: str) -> Callable[..., Any] | None:
    for action in parser._actions:  # argparse offers no public accessor for subparsers
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            return action.choices[name].get_default("handler")
    return None
