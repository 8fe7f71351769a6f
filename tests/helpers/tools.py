"""Tests that need an external tool skip with the reason on a laptop and fail under CI=true."""

from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(reason: str) -> None:
    """Skip (developer laptop) or fail (CI) because a tool the test needs is absent."""
    if in_ci():
        pytest.fail(f"missing tool under CI=true: {reason}", pytrace=False)
    pytest.skip(f"missing tool: {reason} (install with `make deps`)")


def require_tool(name: str, reason: str | None = None) -> str:
    """Return the path of executable `name`, or skip/fail with the reason."""
    path = shutil.which(name)
    if path is None:
        missing(reason or f"`{name}` is not installed")
    return path  # type: ignore[return-value]


def require_module(name: str, reason: str | None = None):
    """Import and return module `name`, or skip/fail with the reason (e.g. pyzbar without libzbar)."""
    try:
        return __import__(name, fromlist=["_"])
    except (ImportError, OSError) as exc:
        missing(reason or f"Python module `{name}` cannot be loaded: {exc}")
