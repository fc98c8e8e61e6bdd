"""Opening and closing order cycles on time, without polling (docs/scheduling.md).

The admin function `arm`s one-time EventBridge Scheduler schedules for a cycle's opening and
closing; they invoke the scheduler function (`run_schedule`), and a 3-hourly `sweep` processes
anything whose time came and went unprocessed, however long ago. Both only ever ask the cycle
item what is owed now (`catch_up`), so a schedule left at an old time does nothing, and running
one twice, or beside the sweep, records each opening and closing once."""
from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from typing import Literal
from uuid import uuid4

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import AwareDatetime, BaseModel, ValidationError

from hubcycle.adapters.schedules import delete_schedule, put_schedule
from hubcycle.clock import clock
from hubcycle.errors import Invalid, NotFound
from hubcycle.order_cycles import OrderCycle
from hubcycle.repository import keys
from hubcycle.repository.notifications import CLAIM_SECONDS, OutboxRepository, event_item
from hubcycle.repository.order_cycles import OrderCycleRepository, next_due
from hubcycle.repository.orders import OrderRepository
from hubcycle.services import reminders
from hubcycle.services.notifications import CycleMail, closing_items, deliver

logger = logging.getLogger(__name__)

OPEN, CLOSE = "open", "close"
ARM_LEAD = timedelta(seconds=2)
"""A time already past is armed this far ahead instead: Scheduler needs an `at` in the future."""
MAX_STEPS = 6
"""Opening, closing, and a few re-reads when an admin saves the cycle at the same moment."""


class ScheduledAction(BaseModel):
    """The Input of a cycle's schedule, as the scheduler function receives it."""

    order_cycle_id: str
    action: Literal["open", "close"]
    due_at: AwareDatetime


def schedule_name(cycle_id: str, action: str) -> str:
    return f"oc-{cycle_id}-{action}"


def arm(cycle: OrderCycle) -> None:
    """Make the cycle's one-time schedules match its dates and processing records: one per date
    not yet processed once both dates are set, none otherwise. Idempotent. Scheduler errors are logged, not
    raised: the cycle is saved already and the sweep processes it in any case."""
    earliest = (clock.now() + ARM_LEAD).replace(microsecond=0)
    dated = cycle.opens_at is not None and cycle.closes_at is not None  # an undated cycle is owed nothing
    for action, due, processed in ((OPEN, cycle.opens_at, cycle.opened_at), (CLOSE, cycle.closes_at, cycle.processed_at)):
        name = schedule_name(cycle.id, action)
        try:
            if not dated or processed is not None:
                delete_schedule(name)
            else:
                payload = {"order_cycle_id": cycle.id, "action": action, "due_at": due.isoformat()}
                put_schedule(name, max(due, earliest), payload)
        except (ClientError, BotoCoreError):
            logger.exception("schedule %s not armed; the sweep will process the cycle", name)
    reminders.arm(cycle)


def disarm(cycle_id: str) -> None:
    """Delete the cycle's schedules (the cycle was deleted)."""
    for action in (OPEN, CLOSE):
        delete_schedule(schedule_name(cycle_id, action))


def run_schedule(event: dict) -> Counter:
    """A schedule fired: process what the cycle owes now (the schedule's own time is only a hint)."""
    try:
        action = ScheduledAction.model_validate(event)
    except ValidationError as error:
        raise Invalid(f"not a cycle schedule's input: {error}") from None
    try:
        cycle = OrderCycleRepository().get(action.order_cycle_id)
    except NotFound:
        logger.info("schedule for deleted cycle %s ignored", action.order_cycle_id)
        return Counter()
    if (cycle.opens_at if action.action == OPEN else cycle.closes_at) != action.due_at:
        logger.info("schedule of cycle %s for %s at %s is stale", cycle.id, action.action, action.due_at)
    return catch_up(cycle)


def sweep() -> Counter:
    """Every cycle whose opening or closing is due and unprocessed, then every outbox item left
    undelivered for longer than a claim lasts."""
    now = clock.now()
    counts: Counter = Counter()
    for cycle in OrderCycleRepository().due(now):
        try:
            counts += catch_up(cycle)
        except Exception:  # one broken cycle must not keep the others unprocessed
            logger.exception("sweep could not process cycle %s", cycle.id)
    return counts + deliver_undelivered()


def deliver_undelivered() -> Counter:
    """Every outbox item left undelivered for longer than a claim lasts: the sweep's second half,
    and what an outbox retry schedule runs (services/outbox_retries)."""
    now = clock.now()
    outbox = OutboxRepository()
    claim = uuid4().hex
    left = outbox.undelivered(created_before=now - timedelta(seconds=CLAIM_SECONDS))
    claimed = [taken for taken in (outbox.claim(item, claim, now) for item in left) if taken is not None]
    return deliver(claimed, claim)


def catch_up(cycle: OrderCycle) -> Counter:
    """Process what is owed now, oldest first (a missed opening before its closing); re-read and
    retry when an admin saved the cycle meanwhile."""
    now = clock.now()
    counts: Counter = Counter()
    for _ in range(MAX_STEPS):
        due = next_due(cycle)
        if due is None or due > now:
            return counts
        step = OPEN if cycle.opens_at is not None and cycle.opened_at is None else CLOSE
        done = _process(cycle, step)
        if done is None:
            try:
                cycle = OrderCycleRepository().get(cycle.id)
            except NotFound:
                return counts
            continue
        cycle, step_counts = done
        counts += step_counts
    logger.warning("cycle %s still busy after %d attempts; the sweep will retry", cycle.id, MAX_STEPS)
    return counts


def _process(cycle: OrderCycle, step: str) -> tuple[OrderCycle, Counter] | None:
    """Record the step with its outbox items in one transaction, then deliver them. A closing
    first stops sales, so the orders it reads (strongly consistent) are all there will be.
    None when the cycle changed since it was read (nothing was recorded)."""
    now = clock.now()
    recorded = "opened_at" if step == OPEN else "processed_at"
    processed = OrderCycle.model_validate({**cycle.model_dump(), recorded: now, "version": cycle.version + 1})
    claim = uuid4().hex
    detail_type = "OrderCycleOpened" if step == OPEN else "OrderCycleClosed"
    occurrence = keys.iso(cycle.opens_at if step == OPEN else cycle.closes_at)
    items = [event_item(cycle.id, detail_type, _event_detail(processed, detail_type, occurrence), occurrence, claim, now)]
    mail_of = {}
    if step == CLOSE and not OrderCycleRepository().stop_sales(cycle, now):
        return None
    if step == CLOSE:
        orders = OrderRepository().orders_of_cycle(cycle.id)
        items += closing_items(processed, orders, claim, now)
        mail_of[cycle.id] = CycleMail(processed, orders)
    written = OutboxRepository().record(cycle, processed, items)
    if written is None:
        return None
    logger.info("cycle %s: %s recorded", cycle.id, step)
    counts = Counter({"CyclesOpened" if step == OPEN else "CyclesClosed": 1})
    return processed, counts + deliver(written, claim, mail_of)


def _event_detail(cycle: OrderCycle, detail_type: str, occurrence: str) -> dict:
    """What integrations get. `occurrence_id` is the same on a redelivery: deduplicate on it."""
    return {
        "occurrence_id": f"{cycle.id}/{detail_type}/{occurrence}",
        "id": cycle.id,
        "name": cycle.name,
        "opens_at": cycle.opens_at.isoformat() if cycle.opens_at else None,
        "closes_at": cycle.closes_at.isoformat() if cycle.closes_at else None,
        "coordinator_id": cycle.coordinator_id,
        "distributor_ids": cycle.distributor_ids,
    }
