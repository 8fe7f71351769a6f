"""`serve --demo-advance S`: play the agency, moving requests on after S seconds.

submitted -> in_progress -> completed, each step S seconds after the previous one, with
history and feed changes like any admin `request set-status`. Demo only.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import select

from desk_app.domain.status import Status
from provincial_server.db import ServerDB, ServerRequest, utcnow
from provincial_server.feed import transition

log = logging.getLogger("provincial_server")

STEPS = (
    (Status.SUBMITTED, Status.IN_PROGRESS, "در دست بررسی دستگاه"),
    (Status.IN_PROGRESS, Status.COMPLETED, "انجام شد"),
)


def advance_once(db: ServerDB, after_s: float) -> int:
    """One sweep; returns how many requests moved."""
    moved = 0
    cutoff = utcnow() - timedelta(seconds=after_s)
    with db.write() as s:
        for old, new, note in STEPS:
            # SKIP LOCKED: with several workers each sweeps its own rows (SQLite ignores it and
            # has one writer anyway).
            rows = s.scalars(
                select(ServerRequest)
                .where(ServerRequest.status == old.value, ServerRequest.updated_at <= cutoff)
                .limit(500)
                .with_for_update(skip_locked=True)
            ).all()
            for req in rows:
                if req.status != old.value:  # moved by the first step in this same sweep
                    continue
                transition(s, req, new.value, actor="demo", note=note)
                moved += 1
            s.flush()
            cutoff = utcnow() - timedelta(seconds=after_s)  # a request moved just now waits again
    return moved


class DemoAdvancer:
    def __init__(self, db: ServerDB, after_s: float, interval_s: float = 1.0):
        self.db, self.after_s, self.interval_s = db, after_s, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-advance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                n = advance_once(self.db, self.after_s)
                if n:
                    log.info("demo-advance moved %d requests", n)
            except Exception:  # keep the demo alive across a locked database
                log.exception("demo-advance sweep failed")
