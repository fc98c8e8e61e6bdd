"""Opening and closing order cycles through the scheduler function's handlers, on the embedded
AWS, with the domain clock moved by hand (issue 5): each step recorded once, its event published
once, its producer emails sent once, whatever runs twice, races or fails on the way."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from scheduler_fixtures import (
    CLOSES,
    CYCLE,
    OPENS,
    BusQueue,
    first_send_throttled,
    load_cycle,
    load_enterprises,
    load_orders,
    recipients,
    schedule_event,
    summaries,
)

from hubcycle.adapters import mail
from hubcycle.adapters.aws import client
from hubcycle.clock import clock as domain_clock
from hubcycle.local.apps import LambdaContext, load_function
from hubcycle.local.scheduler_loop import SchedulerLoop, scheduled_event
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services import notifications, scheduling
from hubcycle.settings import settings

PRODUCERS_WITH_ORDERS = ["dairy@example.org", "farm@example.org"]


@pytest.fixture
def scheduler():
    return load_function("scheduler")


@pytest.fixture
def hub(aws, clock):
    """The week-48 cycle (open, automatic notifications), its orders, and a queue on the bus."""
    load_enterprises()
    load_cycle()
    load_orders()
    return BusQueue()


def fire(scheduler, action, due, cycle_id=CYCLE):
    return scheduler.on_schedule(schedule_event(action, due, cycle_id), LambdaContext("hubcycle-scheduler"))


def run_sweep(scheduler):
    return scheduler.sweep(scheduled_event(domain_clock.now()), LambdaContext("hubcycle-scheduler"))


def stored():
    return OrderCycleRepository().get(CYCLE)


def test_opening_is_recorded_once_and_published(hub, clock, scheduler, mailbox):
    clock.freeze(OPENS + timedelta(seconds=20))
    assert fire(scheduler, "open", OPENS) == {"CyclesOpened": 1, "EventsPublished": 1}
    assert fire(scheduler, "open", OPENS) == {}

    cycle = stored()
    assert cycle.opened_at == OPENS + timedelta(seconds=20) and cycle.processed_at is None
    assert [c.id for c in OrderCycleRepository().due(CLOSES)] == [CYCLE], "next due: its closing"
    assert OrderCycleRepository().due(CLOSES - timedelta(seconds=1)) == []
    [(detail_type, detail)] = hub.events()
    assert detail_type == "OrderCycleOpened"
    assert detail == {
        "occurrence_id": "week-48/OrderCycleOpened/2026-11-20T08:00:00Z", "id": CYCLE, "name": "Week 48",
        "opens_at": "2026-11-20T08:00:00+00:00", "closes_at": "2026-11-23T18:00:00+00:00",
        "coordinator_id": "hub", "distributor_ids": ["hub", "market"],
    }
    assert mailbox() == []


def test_closing_records_publishes_and_emails_each_producer_with_orders_once(hub, clock, scheduler, mailbox, aws_requests):
    clock.freeze(OPENS)
    fire(scheduler, "open", OPENS)
    clock.freeze(CLOSES + timedelta(seconds=3))
    aws_requests.clear()

    assert fire(scheduler, "close", CLOSES) == {"CyclesClosed": 1, "EventsPublished": 1, "ProducerEmailsSent": 2,
                                                "HubSummariesSent": 2}

    assert aws_requests["sesv2.SendEmail"] == 4
    assert aws_requests["dynamodb.Scan"] == 0
    sent = mailbox()
    assert recipients(sent) == PRODUCERS_WITH_ORDERS, "none to the bakery: nothing was ordered from it"
    assert summaries(sent) == ["hub@example.org", "market@example.org"], "the coordinator and the other shop"
    for email in sent:
        if email["to"][0] in ("hub@example.org", "market@example.org"):
            continue
        assert email["cc"] == ["hub@example.org"] and email["reply_to"] == ["hub@example.org"]
    assert stored().processed_at == CLOSES + timedelta(seconds=3)
    assert OrderCycleRepository().due(CLOSES + timedelta(days=365)) == []
    assert [t for t, _ in hub.events()] == ["OrderCycleOpened", "OrderCycleClosed"]
    assert [(n["supplier_id"], n["status"], n["run"]) for n in notifications.notifications_of(CYCLE)] == [
        ("dairy", "sent", "close-2026-11-23T18:00:00Z"), ("farm", "sent", "close-2026-11-23T18:00:00Z"),
    ]

    clock.advance(timedelta(minutes=20))
    assert fire(scheduler, "close", CLOSES) == {}, "a duplicate invocation does nothing"
    assert run_sweep(scheduler) == {}
    assert len(mailbox()) == 4 and len(hub.events()) == 2


def test_without_automatic_notifications_closing_emails_no_producer_but_the_hubs_summaries(aws, clock, scheduler,
                                                                                            mailbox):
    load_enterprises()
    load_cycle(automatic=False)
    load_orders()
    clock.freeze(CLOSES)
    assert fire(scheduler, "close", CLOSES) == {"CyclesOpened": 1, "CyclesClosed": 1, "EventsPublished": 2,
                                                "HubSummariesSent": 2}
    assert recipients(mailbox()) == []


def test_a_schedule_firing_before_its_time_does_nothing(hub, clock, scheduler):
    clock.freeze(CLOSES - timedelta(seconds=1))
    fire(scheduler, "open", OPENS)
    assert fire(scheduler, "close", CLOSES) == {}
    assert stored().processed_at is None


def test_two_closings_that_read_the_same_cycle_record_once(hub, clock, mailbox):
    clock.freeze(CLOSES)
    first_read, second_read = stored(), stored()

    assert scheduling.catch_up(first_read)["CyclesClosed"] == 1
    assert scheduling.catch_up(second_read) == {}, "its write fails on the closing recorded, and the re-read owes nothing"
    assert recipients(mailbox()) == PRODUCERS_WITH_ORDERS


def test_racing_closings_record_and_send_once(hub, clock, scheduler, mailbox):
    """The embedded AWS isolates DynamoDB requests as DynamoDB does (embedded_aws.isolate_dynamodb),
    so the race is between our handlers only."""
    clock.freeze(CLOSES + timedelta(seconds=1))
    start = threading.Barrier(4)
    results, errors = [], []

    def close(runner):
        start.wait()
        try:
            results.append(runner())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    runners = [lambda: fire(scheduler, "close", CLOSES)] * 3 + [lambda: run_sweep(scheduler)]
    threads = [threading.Thread(target=close, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(r.get("CyclesClosed", 0) for r in results) == 1
    assert sum(r.get("ProducerEmailsSent", 0) for r in results) == 2
    assert recipients(mailbox()) == PRODUCERS_WITH_ORDERS
    assert summaries(mailbox()) == ["hub@example.org", "market@example.org"]
    assert [t for t, _ in hub.events()] == ["OrderCycleOpened", "OrderCycleClosed"]


def test_an_ses_error_leaves_the_email_pending_and_the_sweep_sends_it(hub, clock, scheduler, mailbox, monkeypatch):
    first_send_throttled(monkeypatch)
    clock.freeze(CLOSES)
    assert fire(scheduler, "close", CLOSES)["ProducerEmailFailures"] == 1
    assert recipients(mailbox()) == ["farm@example.org"]
    dairy = next(n for n in notifications.notifications_of(CYCLE) if n["supplier_id"] == "dairy")
    assert dairy["status"] == "pending" and "slow down" in dairy["reason"]

    assert fire(scheduler, "close", CLOSES) == {}, "a retried invocation finds the closing done"
    clock.advance(timedelta(seconds=30))
    assert run_sweep(scheduler) == {}, "younger than a claim: maybe still being sent"
    clock.advance(timedelta(minutes=15))
    assert run_sweep(scheduler) == {"ProducerEmailsSent": 1}
    clock.advance(timedelta(minutes=15))
    assert run_sweep(scheduler) == {}

    assert recipients(mailbox()) == PRODUCERS_WITH_ORDERS
    assert {n["status"] for n in notifications.notifications_of(CYCLE)} == {"sent"}


def test_an_ses_error_is_tried_again_minutes_later_by_a_schedule_of_its_own(hub, clock, scheduler, mailbox, monkeypatch):
    """Not at the next 3-hourly sweep: the closing that was refused arms a retry 2 minutes on
    (then 8, 32, 128: services/outbox_retries), which Scheduler fires like any schedule."""
    first_send_throttled(monkeypatch)
    clock.freeze(CLOSES + timedelta(seconds=20))
    assert fire(scheduler, "close", CLOSES)["ProducerEmailFailures"] == 1
    retry = CLOSES + timedelta(minutes=3)  # 2 minutes, on the next whole minute
    assert retries() == [f"at({retry:%Y-%m-%dT%H:%M:%S})"]

    clock.freeze(retry - timedelta(seconds=1))
    SchedulerLoop().fire_due(clock.now())
    assert recipients(mailbox()) == ["farm@example.org"], "not yet"
    clock.freeze(retry)
    SchedulerLoop().fire_due(clock.now())
    assert recipients(mailbox()) == PRODUCERS_WITH_ORDERS
    assert {n["status"] for n in notifications.notifications_of(CYCLE)} == {"sent"}
    assert retries() == [], "fired, then deleted"


def retries() -> list[str]:
    scheduler, group = client("scheduler"), settings().schedule_group
    names = [s["Name"] for s in scheduler.list_schedules(GroupName=group, NamePrefix="outbox-retry-")["Schedules"]]
    return [scheduler.get_schedule(Name=n, GroupName=group)["ScheduleExpression"] for n in names]


def test_a_crash_after_recording_loses_nothing(hub, clock, scheduler, mailbox, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("the Lambda died here")

    clock.freeze(OPENS)
    fire(scheduler, "open", OPENS)
    clock.freeze(CLOSES)
    with monkeypatch.context() as patch:
        patch.setattr(scheduling, "deliver", crash)
        with pytest.raises(RuntimeError):
            fire(scheduler, "close", CLOSES)
    assert stored().processed_at == CLOSES and mailbox() == []

    assert fire(scheduler, "close", CLOSES) == {}, "recorded already: what it owes waits in the outbox"
    clock.advance(timedelta(minutes=2))
    assert run_sweep(scheduler) == {"EventsPublished": 1, "ProducerEmailsSent": 2, "HubSummariesSent": 2}
    clock.advance(timedelta(minutes=15))
    assert run_sweep(scheduler) == {}

    assert recipients(mailbox()) == PRODUCERS_WITH_ORDERS
    assert [t for t, _ in hub.events()] == ["OrderCycleOpened", "OrderCycleClosed"]


def test_a_producer_email_failing_every_time_is_given_up_and_shown(hub, clock, scheduler, mailbox, monkeypatch):
    def rejected(message):
        if message.to == ["dairy@example.org"]:
            raise ClientError({"Error": {"Code": "MessageRejected", "Message": "address rejected"}}, "SendEmail")
        return real_send(message)

    real_send = mail.send_email
    monkeypatch.setattr(mail, "send_email", rejected)
    clock.freeze(CLOSES)
    fire(scheduler, "close", CLOSES)
    failures = 1
    for _ in range(6):
        clock.advance(timedelta(minutes=15))
        failures += run_sweep(scheduler).get("ProducerEmailFailures", 0)

    assert failures == 5
    dairy = next(n for n in notifications.notifications_of(CYCLE) if n["supplier_id"] == "dairy")
    assert dairy["status"] == "failed" and "address rejected" in dairy["reason"]
    assert recipients(mailbox()) == ["farm@example.org"]
    summary = OrderCycleRepository().get_many_with_summaries([], [CYCLE])[1][CYCLE]  # what the list of cycles shows
    assert (summary["notified"], summary["failed"]) == ({"farm"}, {"dairy"})


def test_the_sweep_processes_a_cycle_missed_long_ago_opening_first(hub, clock, scheduler, mailbox):
    clock.freeze(CLOSES + timedelta(days=3))
    assert run_sweep(scheduler) == {"CyclesOpened": 1, "CyclesClosed": 1, "EventsPublished": 2, "ProducerEmailsSent": 2,
                                    "HubSummariesSent": 2}
    assert [t for t, _ in hub.events()] == ["OrderCycleOpened", "OrderCycleClosed"]
    assert recipients(mailbox()) == PRODUCERS_WITH_ORDERS
    assert run_sweep(scheduler) == {}


def test_the_sweep_leaves_cycles_not_due(aws, clock, scheduler):
    load_enterprises()
    load_cycle(opens_at=CLOSES, closes_at=CLOSES + timedelta(days=7))
    load_cycle("undated", opens_at=None, closes_at=None)
    clock.freeze(CLOSES - timedelta(seconds=1))
    assert run_sweep(scheduler) == {}
    assert stored().opened_at is None


def test_a_cycle_with_an_opening_but_no_closing_is_not_opened_until_it_has_both(aws, clock, scheduler):
    """It is `undated`: no shop lists it, so no integration may hear that it opened."""
    load_enterprises()
    cycle = load_cycle(opens_at=OPENS, closes_at=None)
    clock.freeze(OPENS + timedelta(days=1))
    assert run_sweep(scheduler) == {}
    assert fire(scheduler, "open", OPENS) == {}
    assert stored().opened_at is None

    OrderCycleRepository().save(stored().with_dates(OPENS, CLOSES), cycle)
    assert run_sweep(scheduler) == {"CyclesOpened": 1, "EventsPublished": 1}


def test_closing_moved_later_is_processed_at_the_new_time_as_a_new_run(hub, clock, scheduler, mailbox):
    clock.freeze(CLOSES)
    fire(scheduler, "close", CLOSES)
    later = CLOSES + timedelta(days=1)
    closed = stored()
    moved = OrderCycleRepository().save(closed.with_dates(closed.opens_at, later), closed)
    assert moved.processed_at is None and moved.opened_at is not None

    clock.freeze(later - timedelta(minutes=1))
    assert fire(scheduler, "close", CLOSES) == {}, "the schedule of the old time is stale"
    clock.freeze(later)
    assert fire(scheduler, "close", later) == {"CyclesClosed": 1, "EventsPublished": 1, "ProducerEmailsSent": 2,
                                               "HubSummariesSent": 2}

    assert recipients(mailbox()) == sorted(PRODUCERS_WITH_ORDERS * 2)
    assert sorted({n["run"] for n in notifications.notifications_of(CYCLE)}) == [
        "close-2026-11-23T18:00:00Z", "close-2026-11-24T18:00:00Z",
    ]


def test_a_closing_moved_before_its_schedule_fires_waits_for_the_new_time(hub, clock, scheduler):
    cycle = stored()
    later = CLOSES + timedelta(hours=2)
    OrderCycleRepository().save(cycle.with_dates(cycle.opens_at, later), cycle)
    clock.freeze(CLOSES + timedelta(seconds=1))
    assert fire(scheduler, "close", CLOSES) == {"CyclesOpened": 1, "EventsPublished": 1}
    assert stored().processed_at is None


def test_an_admin_save_meanwhile_is_kept_and_the_closing_recorded_beside_it(hub, clock):
    read_by_scheduler = stored()
    renamed = read_by_scheduler.model_copy(update={"name": "Week 48 (renamed)"})
    OrderCycleRepository().save(renamed, read_by_scheduler)
    clock.freeze(CLOSES)

    counts = scheduling.catch_up(read_by_scheduler)

    assert counts["CyclesClosed"] == 1
    cycle = stored()
    assert cycle.name == "Week 48 (renamed)" and cycle.processed_at == CLOSES and cycle.version == 1


def test_schedules_of_deleted_cycles_and_malformed_inputs_are_ignored(aws, clock, scheduler):
    assert fire(scheduler, "close", CLOSES, cycle_id="gone") == {}
    context = LambdaContext("hubcycle-scheduler")
    assert scheduler.on_schedule({"order_cycle_id": CYCLE, "action": "explode"}, context) == {"ignored": True}
    assert scheduler.on_schedule({"action": "close", "due_at": "2026-11-23T18:00:00"}, context) == {"ignored": True}
