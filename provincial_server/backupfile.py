"""The server's backup file: readable only by its owner, and encrypted when a passphrase is given.

A backup holds every citizen's national code and name that the province received, and it is
copied off the server, so:
- it is always written 0600 (whatever the umask), under a temporary name first and renamed
  into place, so a half-written file never carries the final name;
- with a passphrase (`backup FILE --passphrase-stdin`, or env `PROVINCIAL_BACKUP_PASSPHRASE`)
  it is AES-256-GCM encrypted under a key derived with scrypt. Without one it is the plain JSON
  document of DESIGN.md section 5 (and `backup` says so on standard error).

Encrypted layout:
    MAGIC (8 bytes) | format version (1 byte) | header length (4 bytes, big endian) |
    header (UTF-8 JSON: kdf name and parameters, salt, nonce, key check) |
    AES-256-GCM(zlib(JSON document)) with its 16-byte tag
magic, version, length and header are the GCM associated data: a changed header is refused like
a changed byte of the body. The key check tells a wrong passphrase from a damaged file.
`restore` tells the formats apart by the magic bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import struct
import unicodedata
import zlib
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"PSHKSRV\x00"
FORMAT_VERSION = 1
MIN_PASSPHRASE = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_PREFIX = struct.Struct(">8sBI")
_MAX_HEADER = 64 * 1024
_MAX_SCRYPT_N = 2**20
_KEY_CHECK = b"pishkhan provincial backup key check"

ERR_SHORT = f"رمز پشتیبان باید دست‌کم {MIN_PASSPHRASE} نویسه باشد."
ERR_NEEDS_PASSPHRASE = (
    "این پشتیبان رمزدار است؛ رمز را با --passphrase-stdin (یا متغیر PROVINCIAL_BACKUP_PASSPHRASE) بدهید."
)
ERR_PASSPHRASE = "رمز پشتیبان نادرست است."
ERR_DAMAGED = "پرونده‌ی پشتیبان دست‌کاری شده یا آسیب دیده است و بازگردانده نمی‌شود."
ERR_VERSION = "این پشتیبان با نسخه‌ی جدیدتری از سرور ساخته شده است."


class BackupFileError(ValueError):
    """A backup that cannot be written or read as asked; the message is Persian."""


def normalize_passphrase(passphrase: str) -> str:
    """One spelling per passphrase (Persian and Arabic keyboards type different ی/ک and digits);
    the same rule as the desk's backups."""
    text = unicodedata.normalize("NFKC", passphrase)
    letters: dict[str, str | int | None] = {"ي": "ی", "ى": "ی", "ك": "ک"}
    text = text.translate(str.maketrans(letters))
    text = text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))
    return text.strip()


def check_passphrase(passphrase: str) -> str:
    if len(normalize_passphrase(passphrase or "")) < MIN_PASSPHRASE:
        raise BackupFileError(ERR_SHORT)
    return passphrase


def is_encrypted(data: bytes) -> bool:
    return data[: len(MAGIC)] == MAGIC


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    material = hashlib.scrypt(
        normalize_passphrase(passphrase).encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=64
    )
    return material[:32], hmac.new(material[32:], _KEY_CHECK, hashlib.sha256).digest()[:16]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encrypt(document: bytes, passphrase: str) -> bytes:
    check_passphrase(passphrase)
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    key, check = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    header = json.dumps(
        {
            "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
            "cipher": "AES-256-GCM",
            "nonce": _b64(nonce),
            "key_check": _b64(check),
            "compression": "zlib",
        },
        sort_keys=True,
    ).encode("utf-8")
    prefix = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(header)) + header
    return prefix + AESGCM(key).encrypt(nonce, zlib.compress(document, 6), prefix)


def decrypt(data: bytes, passphrase: str | None) -> bytes:
    if not passphrase:
        raise BackupFileError(ERR_NEEDS_PASSPHRASE)
    if len(data) < _PREFIX.size:
        raise BackupFileError(ERR_DAMAGED)
    _magic, version, length = _PREFIX.unpack_from(data)
    if version != FORMAT_VERSION:
        raise BackupFileError(ERR_VERSION)
    end = _PREFIX.size + length
    if length > _MAX_HEADER or len(data) < end + 16:
        raise BackupFileError(ERR_DAMAGED)
    try:
        header = json.loads(data[_PREFIX.size : end])
        kdf = header["kdf"]
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        salt, nonce = base64.b64decode(kdf["salt"]), base64.b64decode(header["nonce"])
        check = base64.b64decode(header["key_check"])
        if kdf["name"] != "scrypt" or not (2 <= n <= _MAX_SCRYPT_N and 1 <= r <= 32 and 1 <= p <= 16):
            raise ValueError("kdf")
    except (ValueError, KeyError, TypeError):
        raise BackupFileError(ERR_DAMAGED) from None
    key, expect = _derive(passphrase, salt, n, r, p)
    if not hmac.compare_digest(check, expect):
        raise BackupFileError(ERR_PASSPHRASE)
    try:
        return zlib.decompress(AESGCM(key).decrypt(nonce, data[end:], data[:end]))
    except (InvalidTag, zlib.error):
        raise BackupFileError(ERR_DAMAGED) from None


def write_private(path: str | Path, data: bytes) -> None:
    """`data` to `path`, mode 0600 whatever the umask, fsynced, renamed into place."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.unlink(missing_ok=True)  # a leftover could be someone else's file with wider bits
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # the umask can only take bits away; make it exactly 0600
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if not hasattr(os, "fchmod"):
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
