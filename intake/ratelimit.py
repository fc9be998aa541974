"""Rate-limit arithmetic. The counting itself is SQL (the store's `landing.land`), under the site lock.

The window is the trailing hour of landed payloads of one site — durable and
shared by every intake replica, since it is the landing table itself.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class RateWindow:
    limit: int
    used: int  # payloads counted in the trailing hour
    oldest: datetime | None  # the oldest of them
    now: datetime  # the database's clock

    def landed(self, received_at: datetime) -> "RateWindow":
        return RateWindow(self.limit, self.used + 1, self.oldest or received_at, self.now)

    def headers(self) -> dict[str, str]:
        # Reset: when the oldest counted payload leaves the window (now, if none is counted).
        reset = self.oldest + WINDOW if self.oldest else self.now
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.used)),
            "X-RateLimit-Reset": str(math.ceil(reset.timestamp())),
        }


def retry_after_seconds(slot_frees_from: datetime | None, now: datetime) -> int:
    """Seconds until the payload received at `slot_frees_from` leaves the window, at least 1."""
    if slot_frees_from is None:
        return 1
    return max(1, math.ceil((slot_frees_from + WINDOW - now).total_seconds()))


def limit_headers(limit: int) -> dict[str, str]:
    """What is known before the caller is allowed to see the site's window."""
    return {"X-RateLimit-Limit": str(limit)}
