"""Operations commands: `demo` (a whole office on this PC, for trying the app and for CI)."""
from __future__ import annotations

import argparse

from desk_app.cli import EXIT_ENV, CommandError, add_json_flag


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo", help="local demo: embedded provincial server, demo office, catalog and users",
        description="Sets up (once) a demo office in its own data folder (<default home>/demo or "
                    "--home), starts the real provincial server and opens the app.")
    p.add_argument("--no-gui", action="store_true",
                   help="set up, print the details and keep the server running until Ctrl+C/SIGTERM")
    p.add_argument("--exit", action="store_true", help="with --no-gui: set up and exit at once")
    p.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    p.add_argument("--reset-passwords", action="store_true",
                   help="give the demo users new passwords (printed once)")
    add_json_flag(p)
    p.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace, out) -> int:
    from desk_app import demo

    if args.exit and not args.no_gui:
        raise CommandError("گزینهٔ --exit فقط همراه --no-gui معنا دارد.", 2)
    home = demo.demo_home(args.home)

    def ready(info) -> None:
        out.result(info, info.text())

    try:
        return demo.main_demo(home, gui=not args.no_gui, exit_after_setup=args.exit, port=args.port,
                              reset_passwords=args.reset_passwords, on_ready=ready)
    except demo.DemoError as exc:
        raise CommandError(exc.message, EXIT_ENV) from exc
