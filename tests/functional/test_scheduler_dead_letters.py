"""A scheduled invocation that keeps failing, on the embedded AWS: the local stand-in for EventBridge
Scheduler (hubcycle.local.scheduler_loop) gives it the retry policy and dead-letter queue that
hubcycle.adapters.schedules sets on every schedule (and infra/core.yaml on every trigger), and the
dead-letter alarm's metric moves."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from scheduler_fixtures import CYCLE, load_cycle, load_enterprises, load_orders

from hubcycle.adapters.aws import client
from hubcycle.adapters.schedules import RETRY_POLICY
from hubcycle.local.apps import load_function
from hubcycle.local.scheduler_loop import SchedulerLoop
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services import scheduling
from hubcycle.settings import settings


@pytest.fixture
def dead_letter_queue(aws, monkeypatch):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="hubcycle-dead-letters")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    monkeypatch.setenv("HUBCYCLE_DEAD_LETTER_QUEUE_ARN", arn)
    return url


def visible(url: str) -> int:
    """What the DeadLettersAlarm watches: SQS's ApproximateNumberOfMessagesVisible is this attribute,
    sampled each minute."""
    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def scheduler_metric(name: str) -> float:
    now = datetime.now(timezone.utc)
    points = client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Scheduler", MetricName=name, StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=5), Period=3600, Statistics=["Sum"])["Datapoints"]
    return sum(p["Sum"] for p in points)


@pytest.fixture
def attempts(monkeypatch):
    """Counts the scheduler function's invocations (the handler Lambda runs, called by the loop)."""
    app = load_function("scheduler")
    calls = []
    handler = app.on_schedule

    def counted(event, context):
        calls.append(event)
        return handler(event, context)

    monkeypatch.setattr(app, "on_schedule", counted)
    return calls


def arm_closing_due_now() -> datetime:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    load_enterprises()
    cycle = load_cycle(opens_at=now - timedelta(hours=1), closes_at=now - timedelta(seconds=1),
                       opened_at=now - timedelta(hours=1))  # only the closing is owed: one schedule
    load_orders()
    scheduling.arm(cycle)
    return now


def test_a_failing_scheduled_invocation_is_retried_then_dead_lettered(dead_letter_queue, attempts, monkeypatch):
    now = arm_closing_due_now()
    (summary,) = client("scheduler").list_schedules(GroupName=settings().schedule_group)["Schedules"]
    schedule = client("scheduler").get_schedule(Name=summary["Name"], GroupName=settings().schedule_group)
    assert schedule["Target"]["RetryPolicy"] == RETRY_POLICY
    assert schedule["Target"]["DeadLetterConfig"] == {"Arn": settings().dead_letter_queue_arn}
    assert visible(dead_letter_queue) == 0 and scheduler_metric("InvocationsSentToDeadLetterCount") == 0

    monkeypatch.setenv("HUBCYCLE_TABLE", "a-table-that-is-not-there")  # DynamoDB fails every attempt
    assert SchedulerLoop().fire_due(now + timedelta(seconds=5)) == 1

    assert len(attempts) == 1 + RETRY_POLICY["MaximumRetryAttempts"] == 3
    assert visible(dead_letter_queue) == 1  # the alarm's metric, 0 -> 1: DeadLettersAlarm fires
    (message,) = client("sqs").receive_message(QueueUrl=dead_letter_queue, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(message["Body"]) == {**attempts[0], "action": "close", "order_cycle_id": CYCLE}
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["RETRY_ATTEMPTS"] == "2" and attributes["ERROR_CODE"] == "ResourceNotFoundException"
    assert attributes["TARGET_ARN"] == settings().scheduler_target_arn
    assert scheduler_metric("InvocationAttemptCount") == 3
    assert scheduler_metric("TargetErrorCount") == 3
    assert scheduler_metric("InvocationsSentToDeadLetterCount") == 1
    assert client("scheduler").list_schedules(GroupName=settings().schedule_group)["Schedules"] == []

    monkeypatch.delenv("HUBCYCLE_TABLE")
    assert OrderCycleRepository().get(CYCLE).processed_at is None  # owed still: the sweep will close it


def test_an_invocation_that_succeeds_on_a_retry_is_not_dead_lettered(dead_letter_queue, attempts, monkeypatch):
    now = arm_closing_due_now()
    real_handler = load_function("scheduler").on_schedule  # the counting wrapper

    def fails_once(event, context):
        if len(attempts) == 0:
            attempts.append(event)
            raise ConnectionError("DynamoDB unreachable")
        return real_handler(event, context)

    monkeypatch.setattr(load_function("scheduler"), "on_schedule", fails_once)
    assert SchedulerLoop().fire_due(now + timedelta(seconds=5)) == 1
    assert len(attempts) == 2 and visible(dead_letter_queue) == 0
    assert OrderCycleRepository().get(CYCLE).processed_at is not None
    assert scheduler_metric("TargetErrorCount") == 1 and scheduler_metric("InvocationAttemptCount") == 2
