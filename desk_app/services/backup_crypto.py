"""Encrypted backup files: a copy of the office's database that is useless without the passphrase.

A backup holds national codes, names and mobiles of every citizen served, and it is meant to leave
the PC (USB stick, shared folder), so it is encrypted with AES-256-GCM under a key derived with
scrypt from a passphrase the manager sets.

File layout:
    MAGIC (8 bytes) | format version (1 byte) | header length (4 bytes, big endian) |
    header (UTF-8 JSON) | ciphertext of the zlib-compressed database | GCM tag (16 bytes)
The header carries office, device, created-at, scrypt parameters, salt, nonce and a key check;
magic, version, length and header together are the GCM associated data, so a changed header is
refused just like a changed byte of the database. The key check tells a wrong passphrase apart from
a damaged file. The database is streamed (never whole in memory) and the plain output only appears
under its final name once the tag has been verified.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from desk_app.domain.errors import InvalidInput
from desk_app.paths import open_private

log = logging.getLogger("desk_app.services")

MAGIC = b"PSHKBAK\x00"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
TAG_LEN = 16
CHUNK = 1024 * 1024
MIN_PASSPHRASE = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_MAX_HEADER = 64 * 1024
_MAX_SCRYPT_N = 2**20
_MAX_SCRYPT_MEM = 128 * 1024 * 1024  # a crafted header must not make us allocate gigabytes
_PREFIX = struct.Struct(">8sBI")

ERR_NOT_BACKUP = "این پرونده، پشتیبان میز پیشخوان نیست."
ERR_VERSION = "این پشتیبان با نسخه‌ی جدیدتری از برنامه ساخته شده و این نسخه آن را نمی‌شناسد."
ERR_PASSPHRASE = "رمز پشتیبان نادرست است."
ERR_TAMPERED = "پرونده‌ی پشتیبان دست‌کاری شده یا آسیب دیده است و بازگردانده نمی‌شود."
ERR_SHORT_PASSPHRASE = f"رمز پشتیبان باید دست‌کم {MIN_PASSPHRASE} نویسه باشد."
ERR_NOT_SQLITE = "پرونده‌ای که باید پشتیبان گرفته شود پایگاه داده‌ی SQLite نیست."


@dataclass(frozen=True)
class BackupHeader:
    office: str
    device: str
    created_at: str
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "office": self.office,
            "device": self.device,
            "created_at": self.created_at,
            "format_version": self.format_version,
        }


def normalize_passphrase(passphrase: str) -> str:
    """One spelling per passphrase: Windows Persian and Arabic keyboards type different ی/ک and
    digits for the same keys, and the manager must not be locked out by the keyboard layout."""
    text = unicodedata.normalize("NFKC", passphrase)
    letters: dict[str, str | int | None] = {"ي": "ی", "ى": "ی", "ك": "ک"}
    text = text.translate(str.maketrans(letters))
    text = text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))
    return text.strip()


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """(AES key, key-check value) from the passphrase."""
    material = hashlib.scrypt(
        normalize_passphrase(passphrase).encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2 * _MAX_SCRYPT_MEM, dklen=64
    )
    check = hmac.new(material[32:], b"pishkhan-desk backup key check", hashlib.sha256).digest()[:16]
    return material[:32], check


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def check_passphrase(passphrase: str) -> str:
    """Refuse a passphrase too short to protect the citizens' data; return it normalised."""
    if len(normalize_passphrase(passphrase or "")) < MIN_PASSPHRASE:
        raise InvalidInput(ERR_SHORT_PASSPHRASE, field="passphrase")
    return passphrase


def _write_atomically(out_path: Path, writer: Callable[[BinaryIO], None]) -> None:
    """Call `writer(file)` on a temporary file beside `out_path`; rename only when it succeeded."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    try:
        with open_private(tmp, "wb") as f:  # 0600: a decrypted database holds every national code
            writer(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def encrypt_backup(
    plain_sqlite_path: Path | str,
    out_path: Path | str,
    passphrase: str,
    office: str,
    device: str | int,
    *,
    created_at: str | None = None,
) -> BackupHeader:
    """Encrypt a (consistent, closed) SQLite copy into `out_path`; returns the header written."""
    check_passphrase(passphrase)
    src, out_path = Path(plain_sqlite_path), Path(out_path)
    with open(src, "rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise InvalidInput(ERR_NOT_SQLITE, field="file")
    if created_at is None:
        created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    header = BackupHeader(office=str(office), device=str(device), created_at=created_at)
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    key, check = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    meta = {
        **header.to_json(),
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "key_check": _b64(check),
        "cipher": "AES-256-GCM",
        "compression": "zlib",
    }
    meta_bytes = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
    aad = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(meta_bytes)) + meta_bytes

    def write(out: BinaryIO) -> None:
        encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        out.write(aad)
        packer = zlib.compressobj(6)
        with open(src, "rb") as f:
            while chunk := f.read(CHUNK):
                out.write(encryptor.update(packer.compress(chunk)))
        out.write(encryptor.update(packer.flush()))
        out.write(encryptor.finalize())
        out.write(encryptor.tag)

    _write_atomically(out_path, write)
    log.info("encrypted backup written (%s bytes of database)", src.stat().st_size)
    return header


def _read_header(f: BinaryIO, size: int) -> tuple[dict[str, Any], bytes]:
    prefix = f.read(_PREFIX.size)
    if len(prefix) < _PREFIX.size or not prefix.startswith(MAGIC):
        raise InvalidInput(ERR_NOT_BACKUP, field="file")
    _, version, length = _PREFIX.unpack(prefix)
    if version != FORMAT_VERSION:
        raise InvalidInput(ERR_VERSION, field="file")
    if length > _MAX_HEADER or _PREFIX.size + length + TAG_LEN > size:
        raise InvalidInput(ERR_TAMPERED, field="file")
    meta_bytes = f.read(length)
    try:
        meta = json.loads(meta_bytes.decode("utf-8"))
        kdf = meta["kdf"]
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        if not (
            kdf["name"] == "scrypt"
            and 2 <= n <= _MAX_SCRYPT_N
            and n & (n - 1) == 0
            and 1 <= r <= 32
            and 1 <= p <= 16
            and 128 * n * r <= _MAX_SCRYPT_MEM
        ):
            raise ValueError("kdf parameters out of range")
        for key in ("office", "device", "created_at", "salt", "nonce", "key_check"):
            meta[key] = str(meta[key])
        for key in ("salt", "nonce", "key_check"):
            base64.b64decode(meta[key], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(ERR_TAMPERED, field="file") from exc
    return meta, prefix + meta_bytes


def read_header(in_path: Path | str) -> BackupHeader:
    """The header of a backup file, without the passphrase (office and date, for a file list).

    Not authenticated: trust it for display only; `decrypt_backup` verifies it.
    """
    path = Path(in_path)
    with open(path, "rb") as f:
        meta, _ = _read_header(f, path.stat().st_size)
    return BackupHeader(meta["office"], meta["device"], meta["created_at"])


def decrypt_backup(
    in_path: Path | str, out_sqlite_path: Path | str, passphrase: str, expect_office: str | None
) -> BackupHeader:
    """Decrypt and verify a backup into `out_sqlite_path`; returns its header.

    Refuses (InvalidInput, Persian) a file that is not a backup, a backup of another office than
    `expect_office` (None: any office, e.g. a new PC not set up yet), a wrong passphrase and any
    change to the file. Nothing is left at `out_sqlite_path` when it refuses.
    """
    in_path, out_path = Path(in_path), Path(out_sqlite_path)
    size = in_path.stat().st_size
    with open(in_path, "rb") as f:
        meta, aad = _read_header(f, size)
        if expect_office is not None and meta["office"] != str(expect_office):
            raise InvalidInput(f"این پشتیبان مال دفتر {meta['office']} است، نه دفتر {expect_office}.", field="office")
        kdf = meta["kdf"]
        key, check = _derive(
            passphrase or "", base64.b64decode(meta["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        )
        if not hmac.compare_digest(check, base64.b64decode(meta["key_check"])):
            raise InvalidInput(ERR_PASSPHRASE, field="passphrase")
        body_len = size - len(aad) - TAG_LEN
        f.seek(len(aad) + body_len)
        tag = f.read(TAG_LEN)
        nonce = base64.b64decode(meta["nonce"])
        if len(nonce) < 8:
            raise InvalidInput(ERR_TAMPERED, field="file")
        f.seek(len(aad))

        def write(out: BinaryIO) -> None:
            decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
            decryptor.authenticate_additional_data(aad)
            unpacker = zlib.decompressobj()
            remaining = body_len
            try:
                while remaining > 0:
                    chunk = f.read(min(CHUNK, remaining))
                    if not chunk:
                        raise InvalidInput(ERR_TAMPERED, field="file")
                    remaining -= len(chunk)
                    # Plain bytes go only to the temporary file until the tag is checked below.
                    out.write(unpacker.decompress(decryptor.update(chunk)))
                decryptor.finalize()
                out.write(unpacker.flush())
            except (InvalidTag, zlib.error) as exc:
                raise InvalidInput(ERR_TAMPERED, field="file") from exc
            if not unpacker.eof:
                raise InvalidInput(ERR_TAMPERED, field="file")

        _write_atomically(out_path, write)
    log.info("backup of office %s device %s decrypted", meta["office"], meta["device"])
    return BackupHeader(meta["office"], meta["device"], meta["created_at"])
