"""Full-jitter exponential backoff (DESIGN.md section 4): base 2 s, cap 15 min; and the sync timings.

Full jitter (a uniform draw in [0, min(cap, base * 2**n)]) spreads hundreds of offices that lost
the link at the same moment, so they do not all come back at the same second. A server's
`Retry-After` is a floor, never shortened by the jitter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

BASE_S = 2.0
CAP_S = 15 * 60.0
# The engine's timings when nobody says otherwise; they are the defaults of the settings
# `sync_interval_s` and `clock_skew_warn_s` (desk_app.services.settings), which pass them in.
PERIOD_S = 60.0  # between successful syncs in loop mode
SKEW_WARN_S = 300.0  # the PC's clock this far from the server's is warned about (DESIGN.md section 2)


def backoff_ceiling(failures: int, base: float = BASE_S, cap: float = CAP_S) -> float:
    """Upper bound of the delay after `failures` consecutive failures (1 -> base)."""
    if failures <= 0:
        return 0.0
    exponent = min(failures - 1, 30)  # 2**30 * 2 s is far above the cap; avoids huge floats
    return min(cap, base * float(2**exponent))


def full_jitter(
    failures: int,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
    base: float = BASE_S,
    cap: float = CAP_S,
) -> float:
    """Seconds to wait before the next attempt; `retry_after` (seconds) is a minimum."""
    draw = (rng or random).uniform(0.0, backoff_ceiling(failures, base, cap))
    if retry_after is not None and retry_after > draw:
        return float(retry_after)
    return draw


@dataclass
class Backoff:
    """Consecutive-failure counter with the delay it implies; `success()` resets it."""

    base: float = BASE_S
    cap: float = CAP_S
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def failure(self, retry_after: float | None = None) -> float:
        self.failures += 1
        return full_jitter(self.failures, retry_after=retry_after, rng=self.rng, base=self.base, cap=self.cap)

    def success(self) -> None:
        self.failures = 0
