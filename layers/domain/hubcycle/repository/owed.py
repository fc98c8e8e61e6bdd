"""What the scheduler owes, read from the two sparse GSI1 partitions that hold nothing else:
`SCHEDULE`, the cycles whose opening or closing is due and unprocessed (however long ago), and
`OUTBOX`, the notifications not delivered yet. The items come back as stored; OrderCycleRepository
and OutboxRepository read the same queries into their models. Most 3-hourly sweeps find both
empty, and hubcycle.services.sweeps answers those without loading the models at all."""
from __future__ import annotations

from datetime import datetime

from hubcycle.repository import keys
from hubcycle.repository.base import Repository
from hubcycle.repository.table import GSI1

CLAIM_SECONDS = 60
"""Twice the scheduler function's timeout: a claim older than this belongs to a sender that died,
and an outbox item pending for longer is the sweep's to deliver."""


class OwedRepository(Repository):
    def due_cycles(self, now: datetime, limit: int | None = None) -> list[dict]:
        """Cycle items whose opening or closing is due now and not yet processed."""
        return list(self.query("GSI1PK = :pk AND GSI1SK <= :now",
                               {":pk": keys.SCHEDULE, ":now": f"{keys.iso(now)}#\uffff"}, index=GSI1, limit=limit))

    def undelivered(self, created_before: datetime, limit: int | None = None) -> list[dict]:
        """Pending outbox items created before the given time, oldest first."""
        return list(self.query("GSI1PK = :pk AND GSI1SK < :before",
                               {":pk": keys.OUTBOX, ":before": keys.iso(created_before)}, index=GSI1, limit=limit))
