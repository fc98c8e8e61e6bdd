"""Rate-limit counters: one item per subject and window, counted with a conditional update and
deleted by DynamoDB's time to live once the window is over (docs/data-model.md)."""
from __future__ import annotations

from datetime import datetime

from hubcycle.repository import keys
from hubcycle.repository.base import Repository, TransactionCancelled, update_action
from hubcycle.repository.table import TIME_TO_LIVE_ATTRIBUTE


class RateLimitRepository(Repository):
    def count(self, subjects: list[str], window: datetime, limit: int, expires_at: datetime) -> int | None:
        """Count one more hit for every subject in `window`, all or none, in one TransactWriteItems:
        None when each was under `limit`, else the index of the first subject at its limit (nothing
        counted). Any other cancellation (a concurrent hit on the same counter) raises."""
        actions = [update_action(keys.rate_limit(subject), keys.rate_window(window),
                                 f"ADD hits :one SET {TIME_TO_LIVE_ATTRIBUTE} = :expires",
                                 {":one": 1, ":limit": limit, ":expires": int(expires_at.timestamp())},
                                 condition="attribute_not_exists(hits) OR hits < :limit")
                   for subject in subjects]
        try:
            self.transact(actions)
        except TransactionCancelled as cancelled:
            if "ConditionalCheckFailed" not in cancelled.reasons:
                raise
            return cancelled.reasons.index("ConditionalCheckFailed")
        return None
