"""What EventBridge Scheduler does on AWS and moto does not: fire each one-time schedule when its
time comes, by calling the scheduler function's handler with the schedule's input, then delete
it (ActionAfterCompletion DELETE). A failed invocation is tried again as often as the target's
RetryPolicy says, then sent to its DeadLetterConfig queue, and the loop publishes Scheduler's own
metrics (namespace AWS/Scheduler) to the embedded CloudWatch, as the stack's alarms expect
(docs/deploy.md, "Failures"). Also runs the safety sweep, as the 3-hourly rule would."""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from datetime import datetime, timezone

from hubcycle.adapters.aws import client
from hubcycle.adapters.schedules import delete_schedule
from hubcycle.local.apps import LambdaContext, load_function
from hubcycle.settings import settings

logger = logging.getLogger("hubcycle.local.scheduler")
_AT = re.compile(r"^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$")


def due_time(expression: str) -> datetime | None:
    match = _AT.match(expression or "")
    if not match:
        return None
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=timezone.utc)


class SchedulerLoop:
    def __init__(self, poll_seconds: float = 0.5, sweep_seconds: float = 3 * 3600):
        self.poll_seconds = poll_seconds
        self.sweep_seconds = sweep_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)
        self._known: dict[str, dict] = {}

    def start(self) -> "SchedulerLoop":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        last_sweep = 0.0
        while not self._stop.is_set():
            try:
                self.fire_due(datetime.now(timezone.utc))
                if time.monotonic() - last_sweep >= self.sweep_seconds:
                    self.sweep()
                    last_sweep = time.monotonic()
            except Exception:  # the loop must outlive one bad run, as Lambda retries would
                logger.exception("local scheduler run failed")
            self._stop.wait(self.poll_seconds)

    def fire_due(self, now: datetime) -> int:
        """Invoke the handler for each schedule whose time has come, then delete the schedule
        whatever the handler did, as Scheduler does after an asynchronous invocation."""
        scheduler = client("scheduler")
        group = settings().schedule_group
        fired = 0
        for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group):
            for summary in page["Schedules"]:
                schedule = self._details(scheduler, group, summary)
                at = due_time(schedule.get("ScheduleExpression", ""))
                if at is None or at > now:
                    continue
                invoke(schedule)
                delete_schedule(summary["Name"])
                self._known.pop(summary["Name"], None)
                fired += 1
        return fired

    def _details(self, scheduler, group: str, summary: dict) -> dict:
        """get_schedule once per version of a schedule, not on every poll."""
        name, modified = summary["Name"], summary.get("LastModificationDate")
        cached = self._known.get(name)
        if cached is None or cached["modified"] != modified:
            cached = {"modified": modified, "schedule": scheduler.get_schedule(Name=name, GroupName=group)}
            self._known[name] = cached
        return cached["schedule"]

    def sweep(self) -> None:
        load_function("scheduler").sweep(scheduled_event(datetime.now(timezone.utc)), LambdaContext("hubcycle-scheduler"))


def invoke(schedule: dict) -> bool:
    """One firing of a schedule: the handler is called once, and again up to the target's
    MaximumRetryAttempts while it fails (on AWS, Lambda's asynchronous retries, which the stack sets
    to the same count, with its one- and two-minute pauses, which this loop skips); when every attempt
    failed, the input goes to the dead-letter queue with the attributes Scheduler gives it.
    Returns whether an attempt succeeded."""
    target = schedule["Target"]
    attempts = 1 + target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 0)
    event = json.loads(target.get("Input") or "{}")
    failure = None
    for attempt in range(attempts):
        try:
            load_function("scheduler").on_schedule(event, LambdaContext("hubcycle-scheduler"))
        except Exception as error:  # Lambda logs it; the retries, the dead-letter queue and the sweep follow
            logger.exception("schedule %s failed (attempt %d of %d)", schedule.get("Name"), attempt + 1, attempts)
            failure = error
            continue
        _metrics(InvocationAttemptCount=attempt + 1, TargetErrorCount=attempt)
        return True
    dead_lettered = _dead_letter(schedule, failure, attempts - 1)
    _metrics(InvocationAttemptCount=attempts, TargetErrorCount=attempts,
             **{"InvocationsSentToDeadLetterCount" if dead_lettered else "InvocationDroppedCount": 1})
    return False


def _dead_letter(schedule: dict, error: Exception, retries: int) -> bool:
    arn = schedule["Target"].get("DeadLetterConfig", {}).get("Arn")
    if not arn:
        return False
    *_, account, name = arn.split(":")
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    attributes = {"ERROR_CODE": type(error).__name__, "ERROR_MESSAGE": str(error)[:1000] or type(error).__name__,
                  "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts", "RETRY_ATTEMPTS": str(retries),
                  "SCHEDULE_ARN": schedule.get("Arn", ""), "TARGET_ARN": schedule["Target"]["Arn"]}
    sqs.send_message(QueueUrl=url, MessageBody=schedule["Target"].get("Input") or "{}",
                     MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()})
    return True


def _metrics(**counts: int) -> None:
    client("cloudwatch").put_metric_data(Namespace="AWS/Scheduler", MetricData=[
        {"MetricName": name, "Value": value, "Unit": "Count"} for name, value in counts.items()])


def scheduled_event(now: datetime) -> dict:
    """What an EventBridge rate rule sends its target (Chalice's CloudWatchEvent reads every key)."""
    return {"version": "0", "id": "local-sweep", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "eu-west-1", "resources": [], "detail": {}}
