"""Where ESC/POS bytes (or a PDF) go: a file, a TCP printer (port 9100), USB, serial, the
system spooler (CUPS `lp` / Windows raw). Every failure becomes a PrinterError with a Persian
message; optional platform modules (pyusb, pyserial, pywin32) are imported only when used.

On two-way links (TCP, USB, serial) the printer is asked for its status with DLE EOT before the
job, so "out of paper" or "cover open" is said before printing, not after; on TCP it is asked
again after the job, which tells a printer that took the whole job from one that hung up in the
middle of it.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desk_app.paths import create_private_file, open_private
from printing.errors import PrinterError

log = logging.getLogger("printing")

DLE_EOT = b"\x10\x04"
STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_PAPER = 1, 2, 4

MSG_OFFLINE = "چاپگر برون‌خط (آفلاین) است؛ روشن بودن و آماده بودن آن را بررسی کنید."
MSG_COVER = "درِ چاپگر باز است؛ آن را ببندید و دوباره چاپ کنید."
MSG_PAPER = "کاغذ چاپگر تمام شده است؛ رول کاغذ را عوض کنید و دوباره چاپ کنید."
MSG_ERROR = "چاپگر خطا دارد (گیر کردن کاغذ یا ایراد برش‌زن)؛ چاپگر را بررسی کنید و دوباره چاپ کنید."
MSG_NO_ANSWER = "چاپگر به پرسش وضعیت پاسخ نداد؛ چاپگر را خاموش و روشن کنید و دوباره چاپ کنید."
MSG_MID_JOB = "ارتباط با چاپگر در میانهٔ چاپ قطع شد؛ رسید ثبت شده است، دوباره چاپ کنید."


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    write: float = 15.0
    status: float = 3.0


def status_problem(n: int, value: int) -> str | None:
    """The Persian problem a DLE EOT `n` answer reports, or None when all is well.

    Answers have bit 0 and bit 7 clear and bits 1 and 4 set; a byte without that shape is not
    a status answer and is ignored (some printers prepend automatic status bytes)."""
    if value & 0x93 != 0x12:
        return None
    if n == STATUS_PRINTER and value & 0x08:
        return MSG_OFFLINE
    if n == STATUS_OFFLINE_CAUSE:
        if value & 0x04:
            return MSG_COVER
        if value & 0x20:
            return MSG_PAPER
        if value & 0x40:
            return MSG_ERROR
    if n == STATUS_PAPER and value & 0x60:
        return MSG_PAPER
    return None


def check_status(write: Callable[[bytes], None], read_byte: Callable[[], int | None]) -> None:
    """Ask printer, offline-cause and paper status; raise PrinterError on the first problem."""
    for n in (STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_PAPER):
        write(DLE_EOT + bytes([n]))
        value = read_byte()
        if value is None:
            raise PrinterError(MSG_NO_ANSWER)
        problem = status_problem(n, value)
        if problem:
            log.info("printer status %d answered 0x%02x", n, value)
            raise PrinterError(problem)


# --- files -------------------------------------------------------------------------------


def prepare_private_output(path: str | Path) -> None:
    """A file about to be written by someone else (reportlab, Qt) is created 0600 first: receipts,
    forms and reports name citizens. A missing folder or no permission is left to that writer to
    report in its own words."""
    try:
        create_private_file(path)
    except OSError:
        pass


def write_file(path: str | Path, data: bytes) -> None:
    try:
        with open_private(path, "wb") as fh:  # a new file is 0600: it may name a citizen
            fh.write(data)
    except OSError as exc:
        raise PrinterError(f"نوشتن فایل خروجی ممکن نشد: {path} ({exc.strerror or exc})") from exc


# --- TCP (port 9100) -----------------------------------------------------------------------


def send_network(host: str, port: int, data: bytes, *, status: bool = True, timeouts: Timeouts = Timeouts()) -> None:
    """Send one job to a network printer over a raw socket with connect/write/status timeouts."""
    where = f"{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=timeouts.connect)
    except TimeoutError as exc:
        raise PrinterError(f"چاپگر {where} در زمان مقرر پاسخ نداد (خاموش یا خارج از شبکه است).") from exc
    except OSError as exc:
        raise PrinterError(f"اتصال به چاپگر {where} برقرار نشد (خاموش یا خارج از شبکه است).") from exc
    with sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def read_byte() -> int | None:
            sock.settimeout(timeouts.status)
            try:
                got = sock.recv(1)
            except TimeoutError:
                return None
            except OSError as exc:
                raise PrinterError(MSG_MID_JOB) from exc
            if not got:
                raise PrinterError(MSG_MID_JOB if sent[0] else f"چاپگر {where} ارتباط را بست؛ دوباره چاپ کنید.")
            return got[0]

        def write(chunk: bytes) -> None:
            sock.settimeout(timeouts.write)
            try:
                sock.sendall(chunk)
            except TimeoutError as exc:
                raise PrinterError(f"چاپگر {where} داده را نمی‌پذیرد (مهلت ارسال گذشت)؛ دوباره چاپ کنید.") from exc
            except OSError as exc:
                raise PrinterError(MSG_MID_JOB) from exc

        sent = [False]
        if status:
            check_status(write, read_byte)
        write(data)
        sent[0] = True
        if status:  # the printer answers only if it is still there after taking the job
            write(DLE_EOT + bytes([STATUS_PRINTER]))
            if read_byte() is None:
                raise PrinterError(MSG_NO_ANSWER)
        else:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError as exc:
                raise PrinterError(MSG_MID_JOB) from exc


# --- USB / serial (python-escpos drivers; pyusb / pyserial needed) -------------------------


def _escpos_device(kind: str, make: Callable):
    try:
        return make()  # python-escpos opens the device on first use
    except ImportError as exc:
        module = "pyusb" if kind == "usb" else "pyserial"
        raise PrinterError(f"پشتیبانی چاپگر {kind} نصب نیست (بستهٔ {module}).") from exc
    except Exception as exc:  # the drivers raise their own types (USBNotFoundError, SerialException...)
        raise PrinterError(f"چاپگر {kind} پیدا نشد یا در دسترس نیست: {type(exc).__name__}") from exc


def _send_escpos_device(dev, kind: str, data: bytes, status: bool) -> None:
    try:
        if status and hasattr(dev, "_read"):

            def read_byte() -> int | None:
                got = dev._read()
                return got[0] if got else None

            check_status(dev._raw, read_byte)
        dev._raw(data)
    except PrinterError:
        raise
    except Exception as exc:
        raise PrinterError(f"چاپ روی چاپگر {kind} ناموفق بود: {type(exc).__name__}") from exc
    finally:
        try:
            dev.close()
        except Exception:  # closing a half-open device must not hide the first error
            log.debug("closing %s printer failed", kind, exc_info=True)


def send_usb(vid: int, pid: int, data: bytes, *, status: bool = True) -> None:
    def make():
        from printing.escpos_out import escpos_printers

        Usb = escpos_printers().Usb
        if not Usb.is_usable():
            raise ImportError("pyusb")
        return Usb(vid, pid)

    _send_escpos_device(_escpos_device("usb", make), "usb", data, status)


def send_serial(device: str, data: bytes, *, status: bool = True, baudrate: int = 9600) -> None:
    def make():
        from printing.escpos_out import escpos_printers

        Serial = escpos_printers().Serial
        if not Serial.is_usable():
            raise ImportError("pyserial")
        return Serial(devfile=device, baudrate=baudrate, timeout=3)

    _send_escpos_device(_escpos_device("serial", make), "serial", data, status)


# --- the system spooler ----------------------------------------------------------------


def send_system(name: str, data: bytes | None = None, *, pdf: str | Path | None = None) -> None:
    """Raw bytes (ESC/POS) or a PDF file to a system printer: `lp` on Linux/macOS, the Windows
    spooler through pywin32 on Windows."""
    if sys.platform == "win32":
        _send_windows(name, data, pdf)
        return
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterError("فرمان چاپ سیستم (lp از CUPS) نصب نیست.")
    cmd = [lp, "-d", name] + (["-o", "raw"] if pdf is None else ["--", str(pdf)])
    try:
        done = subprocess.run(cmd, input=data if pdf is None else None, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired as exc:
        raise PrinterError(f"صف چاپ سیستم برای «{name}» پاسخ نداد.") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[:200]
        raise PrinterError(f"چاپگر سیستم «{name}» کار را نپذیرفت: {detail}")


def list_system_printers(timeout: float = 5.0) -> list[str]:
    """Names of the system's printers (`lpstat -e` of CUPS; the Windows spooler's list), for a
    chooser; an empty list when there is no spooler or it does not answer (never an error)."""
    if sys.platform == "win32":  # pragma: no cover - no Windows here
        try:
            import win32print  # type: ignore[import-not-found]

            flags = win32print.PRINTER_ENUM_LOCAL | win32print.PRINTER_ENUM_CONNECTIONS
            return sorted(p[2] for p in win32print.EnumPrinters(flags))
        except Exception:  # noqa: BLE001 - a chooser without names still lets the clerk type one
            return []
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return []
    try:
        done = subprocess.run([lpstat, "-e"], capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if done.returncode != 0:
        return []
    names = done.stdout.decode("utf-8", "replace").split()
    return sorted(set(names))


def _send_windows(name: str, data: bytes | None, pdf: str | Path | None) -> None:  # pragma: no cover
    try:
        import win32print
    except ImportError as exc:
        raise PrinterError("پشتیبانی چاپ ویندوز (pywin32) نصب نیست.") from exc
    if pdf is not None:
        import win32api

        rc = win32api.ShellExecute(0, "printto", str(pdf), f'"{name}"', os.path.dirname(str(pdf)) or ".", 0)
        if rc <= 32:
            raise PrinterError(f"چاپ PDF روی «{name}» ممکن نشد (کد {rc}).")
        return
    if data is None:
        raise ValueError("send_system needs the job's bytes or a PDF")
    try:
        handle = win32print.OpenPrinter(name)
    except Exception as exc:
        raise PrinterError(f"چاپگر «{name}» در ویندوز پیدا نشد.") from exc
    try:
        win32print.StartDocPrinter(handle, 1, ("Pishkhan receipt", None, "RAW"))
        win32print.StartPagePrinter(handle)
        win32print.WritePrinter(handle, data)
        win32print.EndPagePrinter(handle)
        win32print.EndDocPrinter(handle)
    except Exception as exc:
        raise PrinterError(f"چاپ روی «{name}» ناموفق بود: {exc}") from exc
    finally:
        win32print.ClosePrinter(handle)
