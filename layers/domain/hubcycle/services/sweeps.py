"""The 3-hourly sweep (docs/scheduling.md). It first asks, with one small Query on each sparse
index, whether anything is owed: a due opening or closing, an undelivered notification. Most
sweeps of a hub find nothing, about 240 a month, each likely a cold start: those end here, without
loading pydantic, the domain models or the mail code. Otherwise hubcycle.services.scheduling does
the work, reading what is owed in full."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hubcycle.clock import clock
from hubcycle.repository.owed import CLAIM_SECONDS, OwedRepository


def sweep() -> Counter:
    now = clock.now()
    owed = OwedRepository()
    if not owed.due_cycles(now, limit=1) and not owed.undelivered(now - timedelta(seconds=CLAIM_SECONDS), limit=1):
        return Counter()
    from hubcycle.services import scheduling

    return scheduling.sweep()
