"""Scanners behind one small interface: SANE on Linux (the `scanimage` program), WIA on Windows.

A `Scanner` has `devices()` and `scan(device, feeder=, cancel=, work_dir=)`, a generator that
yields each page (a `capture.SourcePage`) as soon as the scanner has delivered it, so the caller
stores page 1 while page 2 is still in the feeder. When the scanner fails, the pages already
yielded are the caller's to keep; the generator then raises `ScannerError` with a Persian
message (a jam, an open cover, an empty feeder, a lost connection, the program killed).
Closing the generator early stops the scanner.

SANE runs `scanimage` in batch mode (`--batch-print` names each finished page file) rather than
binding libsane: nothing to compile, and a scanner driver that crashes takes only that process
with it. WIA is reached through pywin32's COM client, imported only on Windows; it is written
to the WIA 2.0 automation interface but not tested here (no Windows, no WIA device).
"""

from __future__ import annotations

import logging
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from PIL import Image

from desk_app.services import imaging
from desk_app.services.capture import SourcePage

log = logging.getLogger("desk_app.services")

SCAN_DPI = imaging.TARGET_DPI
IDLE_TIMEOUT_S = 120.0  # no page for this long: the scanner is taken for gone
LIST_TIMEOUT_S = 60.0


class ScannerError(Exception):
    """The scanner could not deliver (environment, exit code 3); `message` is Persian."""

    exit_code = 3

    def __init__(self, message: str, kind: str = "scanner"):
        super().__init__(message)
        self.message = message
        self.kind = kind  # "missing" | "not_found" | "busy" | "jammed" | "no_paper" | "cover" | "lost" | ...

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ScanDevice:
    name: str  # what `--device` takes
    vendor: str
    model: str
    type: str

    def to_json(self) -> dict[str, str]:
        return dict(self.__dict__)


class Scanner(Protocol):
    def devices(self) -> list[ScanDevice]: ...

    def scan(
        self,
        device: str | None,
        *,
        feeder: bool = False,
        cancel: threading.Event | None = None,
        work_dir: Path,
    ) -> Iterator[SourcePage]: ...


def default_scanner() -> Scanner:
    return WiaScanner() if sys.platform == "win32" else SaneScanner()


# --- SANE ----------------------------------------------------------------------------------------

# scanimage exits with the SANE status of its failure
SANE_MESSAGES = {
    1: ("unsupported", "اسکنر این نوع اسکن را پشتیبانی نمی‌کند."),
    2: ("cancelled", "اسکن لغو شد."),
    3: ("busy", "اسکنر در دست برنامهٔ دیگری است؛ آن برنامه را ببندید و دوباره اسکن کنید."),
    4: ("invalid", "اسکنر تنظیمات این اسکن را نپذیرفت."),
    6: ("jammed", "کاغذ در اسکنر گیر کرده است؛ کاغذ را آزاد کنید و دوباره اسکن کنید."),
    7: ("no_paper", "کاغذی در سینی اسکنر نیست؛ برگه را بگذارید و دوباره اسکن کنید."),
    8: ("cover", "درِ اسکنر باز است؛ آن را ببندید و دوباره اسکن کنید."),
    9: ("lost", "ارتباط با اسکنر قطع شد؛ کابل و برق اسکنر را بررسی کنید و دوباره اسکن کنید."),
    10: ("memory", "حافظهٔ اسکنر یا رایانه برای این اسکن کافی نبود."),
    11: ("denied", "اجازهٔ دسترسی به اسکنر نیست؛ کاربر باید عضو گروه scanner باشد."),
}
MSG_NO_SCANIMAGE = "برنامهٔ اسکن (scanimage از بستهٔ sane-utils) نصب نیست؛ آن را نصب کنید."
MSG_NO_DEVICE = "اسکنری پیدا نشد؛ اسکنر را روشن کنید، کابل آن را بررسی کنید و دوباره تلاش کنید."
MSG_NOT_FOUND = "اسکنر «{device}» پیدا نشد یا روشن نیست؛ کابل و برق آن را بررسی کنید."
MSG_KILLED = "اسکنر در میانهٔ کار از دست رفت (برنامهٔ اسکن ناگهان بسته شد)."
MSG_IDLE = "اسکنر بیش از {s} ثانیه پاسخی نداد و اسکن متوقف شد."
MSG_FAILED = "اسکن ناموفق بود؛ اسکنر را بررسی کنید و دوباره تلاش کنید."

_OPTION_RE = re.compile(r"^\s+-{1,2}([A-Za-z][\w-]*)(?:\[=\(.*?\)\])?\s+(.+?)\s+\[([^\]]*)\]\s*$")
_RANGE_RE = re.compile(r"^(-?[0-9.]+)\.\.(-?[0-9.]+)$")
_UNIT_RE = re.compile(r"(dpi|mm|pel|bit|us|%)$")


@dataclass(frozen=True)
class SaneOption:
    values: tuple[str, ...]  # a word list ("Gray", "Color"; "75", "150"), or ()
    low: float | None = None  # a range
    high: float | None = None
    unit: str = ""


def parse_options(text: str) -> dict[str, SaneOption]:
    """The active options of `scanimage -A` output: {"resolution": SaneOption, "mode": ..., "x": ...}.

    Lines look like `    --resolution 75|150|300|600dpi [150]`, `    -x 0..215.9mm (in steps of 1) [215.9]`
    or `    --source Flatbed|Automatic Document Feeder [Flatbed]`."""
    found: dict[str, SaneOption] = {}
    for line in text.splitlines():
        m = _OPTION_RE.match(line)
        if not m or m.group(3) == "inactive":
            continue
        name, spec = m.group(1), re.sub(r"\s*\(in steps of [^)]*\)$", "", m.group(2))
        unit_m = _UNIT_RE.search(spec)
        unit = unit_m.group(1) if unit_m else ""
        bare = spec[: len(spec) - len(unit)] if unit else spec
        r = _RANGE_RE.match(bare)
        if r:
            found[name] = SaneOption((), float(r.group(1)), float(r.group(2)), unit)
        else:
            found[name] = SaneOption(tuple(v for v in bare.split("|") if v), unit=unit)
    return found


def choose_resolution(opt: SaneOption | None, want: int = SCAN_DPI) -> str | None:
    if opt is None:
        return None
    if opt.low is not None and opt.high is not None:
        return str(int(min(max(want, opt.low), opt.high)))
    numbers = sorted(int(float(v)) for v in opt.values if re.fullmatch(r"[0-9.]+", v))
    if not numbers:
        return None
    at_least = [n for n in numbers if n >= want]
    return str(at_least[0] if at_least else numbers[-1])


def choose_mode(opt: SaneOption | None) -> str | None:
    if opt is None or not opt.values:
        return None
    for v in opt.values:
        if "gray" in v.lower() or "grey" in v.lower():
            return v
    return None  # the device's default (colour is made grey by compression)


def choose_feeder(opt: SaneOption | None) -> str | None:
    if opt is None:
        return None
    for v in opt.values:
        low = v.lower()
        if "feeder" in low or "adf" in low:
            return v
    return None


class SaneScanner:
    """SANE through the `scanimage` program (sane-utils)."""

    def __init__(
        self,
        program: str = "scanimage",
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        env: Mapping[str, str] | None = None,
        extra_args: Iterable[str] = (),
    ) -> None:
        self.program = program
        self.idle_timeout_s = idle_timeout_s
        self.env = env
        self.extra_args = list(extra_args)  # backend options of a site's scanner (`--test-picture=Grid`)
        self.process: subprocess.Popen[str] | None = None  # the running scan (tests, the UI's cancel)

    def _exe(self) -> str:
        exe = shutil.which(self.program)
        if exe is None:
            raise ScannerError(MSG_NO_SCANIMAGE, "missing")
        return exe

    def devices(self) -> list[ScanDevice]:
        try:
            done = subprocess.run(
                [self._exe(), "-f", "%d\t%v\t%m\t%t%n"],
                capture_output=True,
                text=True,
                timeout=LIST_TIMEOUT_S,
                env=self.env,
            )
        except subprocess.TimeoutExpired:
            raise ScannerError(MSG_NO_DEVICE, "not_found") from None
        found = []
        for line in done.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) == 4 and parts[0]:
                found.append(ScanDevice(*parts))
        return found

    def options(self, device: str) -> dict[str, SaneOption]:
        try:
            done = subprocess.run(
                [self._exe(), "-d", device, "-A"], capture_output=True, text=True, timeout=LIST_TIMEOUT_S, env=self.env
            )
        except subprocess.TimeoutExpired:
            raise ScannerError(MSG_IDLE.format(s=int(LIST_TIMEOUT_S)), "lost") from None
        if done.returncode != 0:
            raise self._error(done.returncode, done.stderr, device)
        return parse_options(done.stdout)

    def _device(self, device: str | None) -> str:
        if device:
            return device
        found = self.devices()
        if not found:
            raise ScannerError(MSG_NO_DEVICE, "not_found")
        return found[0].name

    def command(self, device: str, opts: dict[str, SaneOption], *, feeder: bool, work_dir: Path) -> list[str]:
        args = [self._exe(), "-d", device, "--format=pnm", f"--batch={work_dir / 'page-%04d.pnm'}", "--batch-print"]
        mode = choose_mode(opts.get("mode"))
        if mode:
            args.append(f"--mode={mode}")
        if "depth" in opts and "8" in opts["depth"].values:
            args.append("--depth=8")
        resolution = choose_resolution(opts.get("resolution"))
        if resolution:
            args.append(f"--resolution={resolution}")
        for axis in ("x", "y"):  # the whole glass (some backends default to a corner of it)
            opt = opts.get(axis)
            if opt is not None and opt.high is not None:
                args += [f"-{axis}", f"{opt.high:g}"]
        source = choose_feeder(opts.get("source")) if feeder else None
        if feeder and source:
            args.append(f"--source={source}")
        else:
            args.append("--batch-count=1")
        return args + self.extra_args

    def scan(
        self,
        device: str | None,
        *,
        feeder: bool = False,
        cancel: threading.Event | None = None,
        work_dir: Path,
    ) -> Iterator[SourcePage]:
        name = self._device(device)
        args = self.command(name, self.options(name), feeder=feeder, work_dir=Path(work_dir))
        resolution = next((float(a.split("=", 1)[1]) for a in args if a.startswith("--resolution=")), None)
        log.info("scanning from %s (%s)", name, "feeder" if feeder else "flatbed")
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env, cwd=work_dir
        )
        self.process = proc
        lines: queue.Queue[str | None] = queue.Queue()
        errors: list[str] = []
        pump = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True)
        collector = threading.Thread(target=_collect, args=(proc.stderr, errors), daemon=True)
        pump.start()
        collector.start()
        count = 0
        try:
            idle_since = time.monotonic()
            while True:
                if cancel is not None and cancel.is_set():
                    raise ScannerError(SANE_MESSAGES[2][1], "cancelled")
                try:
                    line = lines.get(timeout=0.2)
                except queue.Empty:
                    if time.monotonic() - idle_since > self.idle_timeout_s:
                        raise ScannerError(MSG_IDLE.format(s=int(self.idle_timeout_s)), "lost") from None
                    continue
                if line is None:
                    break
                path = Path(line.strip())
                if not path.is_absolute():
                    path = Path(work_dir) / path
                if not path.is_file():
                    continue
                count += 1
                yield SourcePage(_load_page(path), resolution, f"{name}:{count}")
                path.unlink(missing_ok=True)
                idle_since = time.monotonic()
            rc = proc.wait(timeout=30)
            collector.join(timeout=5)
            # in batch mode scanimage may exit 0 after a failed sheet: its messages say what happened
            status = rc if rc != 0 else batch_status("".join(errors))
            if status and not (status == 7 and count > 0 and feeder):  # an emptied feeder ends a batch
                raise self._error(status, "".join(errors), name)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            pump.join(timeout=5)  # both readers reach end of file once the program is gone
            collector.join(timeout=5)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
            self.process = None

    @staticmethod
    def _error(rc: int, stderr: str, device: str) -> ScannerError:
        log.warning("scanimage exited %s: %s", rc, stderr.strip()[-300:])
        if rc < 0:
            return ScannerError(MSG_KILLED, "lost")
        if "open of device" in stderr:
            return ScannerError(MSG_NOT_FOUND.format(device=device[:60]), "not_found")
        kind, message = SANE_MESSAGES.get(rc, ("failed", MSG_FAILED))
        return ScannerError(message, kind)


# SANE's status texts (sane_strstatus) as scanimage prints them after "sane_start: "/"sane_read: "
SANE_STATUS_TEXTS = {
    "Operation not supported": 1,
    "Operation was cancelled": 2,
    "Device busy": 3,
    "Invalid argument": 4,
    "Document feeder jammed": 6,
    "Document feeder out of documents": 7,
    "Scanner cover is open": 8,
    "Error during device I/O": 9,
    "Out of memory": 10,
    "Access to resource has been denied": 11,
}
_STATUS_RE = re.compile(r"scanner status = ([0-9]+)|sane_(?:start|read): (.+)")


def batch_status(stderr: str) -> int:
    """The first failing SANE status scanimage reported (0 when none): `(scanner status = 9)` or
    `sane_read: Error during device I/O`. End of data (5) is not a failure."""
    for m in _STATUS_RE.finditer(stderr):
        code = int(m.group(1)) if m.group(1) else SANE_STATUS_TEXTS.get(m.group(2).strip(), 4)
        if code not in (0, 5):
            return code
    return 0


def _pump(stream: Iterable[str], lines: queue.Queue[str | None]) -> None:
    try:
        for line in stream:
            lines.put(line)
    finally:
        lines.put(None)


def _collect(stream: Iterable[str], sink: list[str]) -> None:
    for line in stream:
        if sum(map(len, sink)) < 64 * 1024:
            sink.append(line)


def _load_page(path: Path) -> Image.Image:
    with Image.open(path) as img:
        img.load()
        return img.copy()


# --- WIA (Windows) ---------------------------------------------------------------------------------

WIA_SCANNER = 1
WIA_FORMAT_PNG = "{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}"
WIA_INTENT, WIA_XRES, WIA_YRES = 6146, 6147, 6148
WIA_INTENT_GRAYSCALE = 2
WIA_HANDLING_SELECT, WIA_FEEDER, WIA_FLATBED = 3088, 1, 2
WIA_ERRORS = {
    0x80210003: ("no_paper", SANE_MESSAGES[7][1]),  # WIA_ERROR_PAPER_EMPTY
    0x80210002: ("jammed", SANE_MESSAGES[6][1]),  # WIA_ERROR_PAPER_JAM
    0x80210016: ("cover", SANE_MESSAGES[8][1]),  # WIA_ERROR_COVER_OPEN
    0x80210006: ("busy", SANE_MESSAGES[3][1]),  # WIA_ERROR_BUSY
    0x80210005: ("lost", SANE_MESSAGES[9][1]),  # WIA_ERROR_OFFLINE
    0x8021000A: ("lost", SANE_MESSAGES[9][1]),  # WIA_ERROR_DEVICE_COMMUNICATION
    0x80210015: ("not_found", MSG_NO_DEVICE),  # WIA_S_NO_DEVICE_AVAILABLE
    0x80210064: ("cancelled", SANE_MESSAGES[2][1]),  # WIA_ERROR_USER_INTERVENTION / cancelled
}
MSG_NO_PYWIN32 = "بخش اسکن ویندوز (pywin32) در این نسخه نیست؛ برنامه را دوباره نصب کنید."


class WiaScanner:
    """WIA 2.0 through its automation objects (`WIA.DeviceManager`). Not tested here."""

    def _client(self) -> ModuleType:
        try:
            import pythoncom
            import win32com.client
        except ImportError:
            raise ScannerError(MSG_NO_PYWIN32, "missing") from None
        pythoncom.CoInitialize()  # the UI scans on a worker thread: COM must be set up on each thread
        return win32com.client

    @staticmethod
    def _code(exc: Exception) -> int:
        info = getattr(exc, "excepinfo", None)
        code = info[5] if info and len(info) > 5 and info[5] else getattr(exc, "hresult", 0)
        return int(code or 0) & 0xFFFFFFFF

    def _error(self, exc: Exception) -> ScannerError:
        code = self._code(exc)
        log.warning("WIA error 0x%08X", code)
        kind, message = WIA_ERRORS.get(code, ("failed", MSG_FAILED))
        return ScannerError(message, kind)

    def _infos(self) -> list[Any]:
        """The WIA scanners' DeviceInfo objects (COM automation objects: no static type)."""
        client = self._client()
        manager = client.Dispatch("WIA.DeviceManager")
        return [info for info in manager.DeviceInfos if int(info.Type) == WIA_SCANNER]

    def devices(self) -> list[ScanDevice]:
        try:
            infos = self._infos()
            return [
                ScanDevice(
                    str(info.Properties("Name").Value), str(info.Properties("Manufacturer").Value), "", "WIA scanner"
                )
                for info in infos
            ]
        except ScannerError:
            raise
        except Exception as exc:  # noqa: BLE001 - pywintypes.com_error, without importing it here
            raise self._error(exc) from None

    @staticmethod
    def _set(props: Iterable[Any], prop_id: int, value: object) -> None:
        for prop in props:
            if int(prop.PropertyID) == prop_id:
                try:
                    prop.Value = value
                except Exception:  # noqa: BLE001 - a device without this setting keeps its own
                    log.info("WIA property %d not settable", prop_id)
                return

    def scan(
        self,
        device: str | None,
        *,
        feeder: bool = False,
        cancel: threading.Event | None = None,
        work_dir: Path,
    ) -> Iterator[SourcePage]:
        try:
            infos = self._infos()
            chosen = next((i for i in infos if not device or str(i.Properties("Name").Value) == device), None)
            if chosen is None:
                raise ScannerError(MSG_NOT_FOUND.format(device=device) if device else MSG_NO_DEVICE, "not_found")
            dev = chosen.Connect()
            self._set(dev.Properties, WIA_HANDLING_SELECT, WIA_FEEDER if feeder else WIA_FLATBED)
            item = dev.Items(1)
            self._set(item.Properties, WIA_INTENT, WIA_INTENT_GRAYSCALE)
            self._set(item.Properties, WIA_XRES, SCAN_DPI)
            self._set(item.Properties, WIA_YRES, SCAN_DPI)
        except ScannerError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None
        count = 0
        while True:
            if cancel is not None and cancel.is_set():
                raise ScannerError(SANE_MESSAGES[2][1], "cancelled")
            try:
                image = item.Transfer(WIA_FORMAT_PNG)
                path = Path(work_dir) / f"page-{count + 1:04d}.png"
                image.SaveFile(str(path))
            except Exception as exc:  # noqa: BLE001
                error = self._error(exc)
                if error.kind == "no_paper" and feeder and count > 0:
                    return  # the feeder is empty: the batch is done
                raise error from None
            count += 1
            page = _load_page(path)
            os.unlink(path)
            yield SourcePage(page, float(SCAN_DPI), f"{device or 'WIA'}:{count}")
            if not feeder:
                return
