"""An email or event that AWS refused is tried again minutes later, not only at the 3-hourly
sweep: the delivery that released it arms a one-time schedule, which runs the outbox's delivery
(scheduling.deliver_undelivered). Each refusal waits BACKOFF times longer than the one before
(2, 8, 32, 128 minutes), so the MAX_ATTEMPTS tries of an item span about the sweep's period,
long enough for a throttled or briefly failing SES. docs/scheduling.md, "Retries"."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from hubcycle.adapters.schedules import put_schedule

logger = logging.getLogger(__name__)

RETRY = "retry_outbox"
FIRST_DELAY = timedelta(minutes=2)
BACKOFF = 4


def retry_time(attempts: int, now: datetime) -> datetime:
    """When to try again an item refused at its `attempts`-th try: on the next whole minute after
    the delay, so that refusals of the same minute share one schedule."""
    at = now + FIRST_DELAY * BACKOFF ** max(attempts - 1, 0)
    return at.replace(second=0, microsecond=0) + timedelta(minutes=1)


def arm(at: datetime) -> None:
    """One schedule per minute asked for: a later retry never moves an earlier one. An error is
    logged, not raised: the item is pending and the sweep retries it in any case."""
    name = f"outbox-retry-{at:%Y%m%dT%H%M}"
    try:
        put_schedule(name, at, {"action": RETRY})
    except (ClientError, BotoCoreError):
        logger.exception("schedule %s not armed; the sweep will retry the outbox", name)


def is_retry(event: dict) -> bool:
    return isinstance(event, dict) and event.get("action") == RETRY
