"""The frozen bytes of an outbox payload and their hash (DESIGN.md section 4), shared by the
client and the server: any difference here breaks idempotency, so keep it exactly as written."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def payload_sha256(payload_or_bytes: dict[str, Any] | bytes) -> str:
    """Hex SHA-256 of the canonical bytes (bytes are hashed as they are)."""
    if isinstance(payload_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(payload_or_bytes)
    else:
        data = canonical_json(payload_or_bytes)
    return hashlib.sha256(data).hexdigest()
