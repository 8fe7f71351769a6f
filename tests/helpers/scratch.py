"""Folders for state the helpers build once and reuse (templates, clusters): under pytest's
basetemp in the suite, so a run leaves nothing in the system temporary folder.

`tests/conftest.py` hands pytest's `tmp_path_factory` to `use_factory` before the first test.
Outside pytest (the benchmarks import these helpers) a folder is made in the temporary folder
and removed when the process exits.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

_factory: list[pytest.TempPathFactory] = []


def use_factory(factory: pytest.TempPathFactory | None) -> None:
    _factory[:] = [factory] if factory is not None else []


def scratch_dir(name: str) -> Path:
    """A new empty folder named after `name`."""
    if _factory:
        return _factory[0].mktemp(name)
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder
