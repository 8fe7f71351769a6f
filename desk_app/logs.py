"""Logging set-up: rotating files in `<data folder>/logs/`, secrets masked before any handler writes.

Every subsystem logs through its own named logger (`desk_app.sync`, `desk_app.store`, `printing`,
`provincial_server`, ...). `setup_logging(home)` hangs one rotating file on the three top loggers.
Each of them also carries a masking handler that runs first and rewrites the record in place, so
that a national code, a bearer token or a password never reaches the file, the console or any
handler further up (root, pytest's capture) — whatever the level of those handlers.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import time
import weakref
from pathlib import Path

from desk_app.paths import make_private_dir, open_private

TOP_LOGGERS = ("desk_app", "printing", "provincial_server")
LOG_DIR = "logs"
LOG_FILE = "desk-app.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"

_D = "[0-9\u06f0-\u06f9\u0660-\u0669]"  # ASCII, Persian and Arabic-Indic digits
_W = "[0-9A-Za-z\u06f0-\u06f9\u0660-\u0669]"  # ... and Latin letters: a run inside a hash is no code
_MASKS: list[tuple[re.Pattern[str], str]] = [
    # Authorization headers and bearer tokens, in any case.
    (re.compile(r"(?i)\b(bearer)\s+[^\s,;\"']+"), r"\1 ***"),
    # key=value / key: value / "key": "value" for secret-like keys.
    (
        re.compile(
            r"(?i)([\"']?\b[a-z_]*(?:token|password|passwd|passphrase|secret|pwd)[a-z_]*[\"']?\s*[=:]\s*)"
            r"(\"[^\"]*\"|'[^']*'|[^\s,;&}\]]+)"
        ),
        r"\1***",
    ),
    # National codes: a run of exactly ten digits, or the printed 3-6-1 form with dashes.
    (re.compile(rf"(?<!{_W}){_D}{{3}}-{_D}{{6}}-{_D}(?!{_W})"), "<national-code>"),
    (re.compile(rf"(?<!{_W}){_D}{{10}}(?!{_W})"), "<national-code>"),
    # Anything shaped like a device token: a long url-safe run mixing upper, lower case and digits
    # (hex hashes and UUIDs are lower case only and stay readable).
    (
        re.compile(
            r"(?<![A-Za-z0-9_\-])(?=[A-Za-z0-9_\-]*[A-Z])(?=[A-Za-z0-9_\-]*[a-z])"
            r"(?=[A-Za-z0-9_\-]*[0-9])[A-Za-z0-9_\-]{20,}(?![A-Za-z0-9_\-])"
        ),
        "<token>",
    ),
]


def mask_secrets(text: str) -> str:
    """`text` with national codes, tokens and passwords replaced by placeholders."""
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text


class SecretsFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack text with `mask_secrets`; never drops it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_desk_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not hide the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = mask_secrets(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
            # Formatters print exc_text when set; drop the live exception so none re-renders it.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        record._desk_masked = True
        return True


class _MaskingHandler(logging.Handler):
    """Writes nothing: exists so that the filter runs for every record, at every level, first."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.addFilter(SecretsFilter())

    def emit(self, record: logging.LogRecord) -> None:
        pass


class _UtcFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's API name
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


def log_dir(home: Path | str) -> Path:
    return Path(home) / LOG_DIR


_installed: weakref.WeakSet[logging.Handler] = weakref.WeakSet()  # the handlers we put on our loggers


def _ours(handler: logging.Handler) -> bool:
    return handler in _installed


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files are created 0600 (they name receipts and users); rotation keeps the mode."""

    def _open(self):
        return open_private(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors)


def setup_logging(
    home: Path | str,
    *,
    level: int = logging.INFO,
    filename: str = LOG_FILE,
    console: bool = False,
    console_level: int = logging.WARNING,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
) -> Path:
    """Log `desk_app.*`, `printing` and `provincial_server` to `<home>/logs/<filename>`.

    Calling it again (another data folder, a test) replaces the handlers it installed before.
    The records stop there (no propagation to the root logger, whose console handler would put
    INFO lines among a command's output); `console` writes `console_level` and worse to stderr.
    Returns the log file's path.
    """
    directory = log_dir(home)
    make_private_dir(home)  # the data folder and its logs: 0700, the files 0600, whatever the umask
    make_private_dir(directory)
    path = directory / filename
    shutdown_logging()
    file_handler = _PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8")
    shared: list[logging.Handler] = [file_handler]
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(console_level)
        shared.append(stream)
    for h in shared:
        h.addFilter(SecretsFilter())
        h.setFormatter(_UtcFormatter(FORMAT))
    for name in TOP_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(min(level, console_level) if console else level)
        logger.propagate = False
        # The masking handler is per logger and first, so it runs before any handler that writes.
        for h in [_MaskingHandler(), *shared]:
            _installed.add(h)
            logger.addHandler(h)
    return path


def shutdown_logging() -> None:
    """Remove and close what `setup_logging` installed (files are flushed and released)."""
    closed: set[int] = set()
    for name in TOP_LOGGERS:
        logger = logging.getLogger(name)
        for h in [h for h in logger.handlers if _ours(h)]:
            logger.removeHandler(h)
            if id(h) not in closed:
                closed.add(id(h))
                h.close()
        logger.propagate = True


def install_masking(logger_names: tuple[str, ...] = TOP_LOGGERS) -> None:
    """Mask secrets on these loggers even when no file is configured (e.g. tests, `--verbose`)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(h, _MaskingHandler) for h in logger.handlers):
            h = _MaskingHandler()
            _installed.add(h)
            logger.handlers.insert(0, h)
