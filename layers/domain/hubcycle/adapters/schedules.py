"""EventBridge Scheduler: one-time `at(...)` schedules in the project's group that invoke the
scheduler function with a JSON input. Nothing here knows about order cycles."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from botocore.exceptions import ClientError

from hubcycle.adapters.aws import client
from hubcycle.settings import settings


def at_expression(moment: datetime) -> str:
    """Scheduler's one-time expression, to the second, in UTC (ScheduleExpressionTimezone)."""
    return f"at({moment.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S})"


RETRY_POLICY = {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}
"""As the stack's rule targets and the scheduler functions' asynchronous invocations (infra/core.yaml):
two more tries within the hour, then the dead-letter queue and its alarm."""


def put_schedule(name: str, at: datetime, payload: dict) -> None:
    """Move the schedule, or create it if missing (a cycle is saved more often than created)."""
    config = settings()
    target = {
        "Arn": config.scheduler_target_arn,
        "RoleArn": config.scheduler_role_arn,
        "Input": json.dumps(payload),
        "RetryPolicy": RETRY_POLICY,
    }
    if config.dead_letter_queue_arn:
        target["DeadLetterConfig"] = {"Arn": config.dead_letter_queue_arn}
    definition = {
        "Name": name,
        "GroupName": config.schedule_group,
        "ScheduleExpression": at_expression(at),
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": target,
    }
    scheduler = client("scheduler")
    try:
        scheduler.update_schedule(**definition)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        scheduler.create_schedule(**definition)


def delete_schedule(name: str) -> None:
    """Delete if present: a fired one-time schedule has deleted itself already."""
    try:
        client("scheduler").delete_schedule(Name=name, GroupName=settings().schedule_group)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
