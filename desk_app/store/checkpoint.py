"""Moving the WAL into the database file off the clerk's save path.

SQLite's own automatic checkpoint runs inside the COMMIT that crosses `wal_autocheckpoint` pages:
on a store of a million requests every intake writes some 25-30 pages (one leaf of each index it
touches), so every 35th save or so also copied 1,000 scattered pages into the main file and synced
it, which alone made the p99 of a save 11 ms on a quiet machine (bench/intake.py, the gate).

Here each connection raises that limit to a safety net (`SAFETY_NET_PAGES`, for a process whose
checkpointer cannot run) and caps the WAL file kept after a restart (`WAL_SIZE_LIMIT`); a
`Checkpointer` thread of the process, woken after a commit, runs a PASSIVE checkpoint on its own
short-lived connection once the WAL file has grown past `TRIGGER_PAGES` pages.
A passive checkpoint takes no lock that a writer needs: saves go on while it copies. When the last
connection of a process closes, SQLite checkpoints what is left as before.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("desk_app.store")

PAGE_SIZE_GUESS = 4096  # only for the trigger's size test; SQLite's default page size
TRIGGER_PAGES = 1000  # SQLite's default autocheckpoint, now done by the thread
SAFETY_NET_PAGES = 20000  # ~80 MB of WAL: the commit checkpoints itself only past this
WAL_SIZE_LIMIT = 1 << 20  # the WAL file is cut back to 1 MB when a writer restarts it after a
# checkpoint, so its size tells how much was written since (SQLite's default keeps the largest size)
DEBOUNCE_S = 0.05  # let the commit that woke us return before competing for the disk


class Checkpointer:
    """One daemon thread per open `Database`; started by the first `kick()`, stopped by `stop()`."""

    def __init__(self, path: Path, timeout_ms: int):
        self.path = Path(path)
        self.wal = Path(f"{path}-wal")
        self.timeout_ms = timeout_ms
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.runs = 0  # checkpoints done (tests and benchmarks read it)
        # The WAL's size when the last checkpoint ended: the WAL only restarts (and is cut back)
        # after a checkpoint that copied every frame, so what counts is the growth since then.
        self._baseline = 0

    def kick(self) -> None:
        """After a commit: checkpoint soon if the WAL has grown past the trigger."""
        if self._stopping or not self._wal_is_big():
            return
        with self._lock:
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name="desk-wal-checkpoint", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=30)

    def _wal_is_big(self) -> bool:
        try:
            size = os.stat(self.wal).st_size
        except OSError:
            return False
        self._baseline = min(self._baseline, size)  # restarted and cut back since
        return size - self._baseline >= TRIGGER_PAGES * PAGE_SIZE_GUESS

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            threading.Event().wait(DEBOUNCE_S)
            if self._stopping:
                return
            try:
                self.checkpoint()
            except (sqlite3.Error, OSError) as exc:  # the next commit's safety net still holds
                log.warning("background checkpoint failed: %s", type(exc).__name__)

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint now: (busy, WAL frames, frames moved), as SQLite reports them."""
        con = sqlite3.connect(self.path, timeout=self.timeout_ms / 1000, isolation_level=None)
        try:
            row = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            con.close()
        try:
            self._baseline = os.stat(self.wal).st_size
        except OSError:
            self._baseline = 0
        self.runs += 1
        return (int(row[0]), int(row[1]), int(row[2]))
