"""The local scheduler loop (what `make run` runs, as moto's Scheduler never fires) against the
embedded AWS, in real time: the closing armed for a few seconds ahead fires within 2 seconds of
its time, through the same handler Lambda runs. The only test here that waits for the clock."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from scheduler_fixtures import CYCLE, load_cycle, load_enterprises, load_orders, recipients

from hubcycle.adapters.aws import client
from hubcycle.local.scheduler_loop import SchedulerLoop
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services import scheduling
from hubcycle.settings import settings


def test_the_loop_fires_the_closing_within_two_seconds_of_its_time(aws, mailbox):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    closes_at = now + timedelta(seconds=4)
    load_enterprises()
    cycle = load_cycle(opens_at=now - timedelta(hours=1), closes_at=closes_at)
    load_orders()
    scheduling.arm(cycle)

    loop = SchedulerLoop(poll_seconds=0.2, sweep_seconds=3600).start()
    try:
        deadline = closes_at.timestamp() + 10
        while len(recipients(mailbox())) < 2 and time.time() < deadline:
            time.sleep(0.1)
        seen = time.time()
    finally:
        loop.stop()

    assert recipients(mailbox()) == ["dairy@example.org", "farm@example.org"]
    assert 0 <= seen - closes_at.timestamp() < 2.0
    processed = OrderCycleRepository().get(CYCLE)
    assert processed.opened_at is not None and processed.processed_at >= closes_at
    assert client("scheduler").list_schedules(GroupName=settings().schedule_group)["Schedules"] == [], \
        "fired schedules delete themselves"
