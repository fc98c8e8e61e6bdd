"""Arming a cycle's one-time EventBridge Scheduler schedules (what the admin function calls after
every save), read back from the embedded AWS."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError
from scheduler_fixtures import CLOSES, CYCLE, OPENS, load_cycle, load_enterprises

from hubcycle.adapters import schedules
from hubcycle.adapters.aws import client
from hubcycle.services import scheduling
from hubcycle.settings import settings

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def armed() -> dict[str, dict]:
    """Every schedule of the group, by name, as get_schedule returns it."""
    scheduler, group = client("scheduler"), settings().schedule_group
    names = [s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"]]
    return {name: scheduler.get_schedule(Name=name, GroupName=group) for name in names}


@pytest.fixture
def cycle(aws, clock):
    load_enterprises()
    return load_cycle(opens_at=NOW + timedelta(hours=1), closes_at=CLOSES)


def test_a_dated_cycle_gets_an_opening_and_a_closing_schedule(cycle):
    scheduling.arm(cycle)

    schedules_by_name = armed()
    assert sorted(schedules_by_name) == ["oc-week-48-close", "oc-week-48-open"]
    opening = schedules_by_name["oc-week-48-open"]
    assert opening["ScheduleExpression"] == "at(2026-11-23T10:00:00)"
    assert opening["ScheduleExpressionTimezone"] == "UTC"
    assert opening["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert opening["ActionAfterCompletion"] == "DELETE"
    assert opening["Target"]["Arn"] == settings().scheduler_target_arn
    assert opening["Target"]["RoleArn"] == settings().scheduler_role_arn
    assert json.loads(opening["Target"]["Input"]) == {
        "order_cycle_id": CYCLE, "action": "open", "due_at": "2026-11-23T10:00:00+00:00",
    }
    closing = schedules_by_name["oc-week-48-close"]
    assert closing["ScheduleExpression"] == "at(2026-11-23T18:00:00)"
    assert json.loads(closing["Target"]["Input"])["action"] == "close"


def test_moving_dates_moves_the_schedules_and_arming_again_changes_nothing(cycle, aws_requests):
    scheduling.arm(cycle)
    moved = cycle.with_dates(cycle.opens_at + timedelta(days=1), CLOSES + timedelta(days=2))
    aws_requests.clear()
    scheduling.arm(moved)
    scheduling.arm(moved)

    expressions = {name: s["ScheduleExpression"] for name, s in armed().items()}
    assert expressions == {"oc-week-48-open": "at(2026-11-24T10:00:00)", "oc-week-48-close": "at(2026-11-25T18:00:00)"}
    assert aws_requests["scheduler.UpdateSchedule"] == 4 and aws_requests["scheduler.CreateSchedule"] == 0


def test_a_time_already_past_is_armed_just_ahead_with_its_real_due_time(aws, clock):
    load_enterprises()
    scheduling.arm(load_cycle(opens_at=OPENS, closes_at=CLOSES))

    opening = armed()["oc-week-48-open"]
    assert opening["ScheduleExpression"] == "at(2026-11-23T09:00:02)"
    assert json.loads(opening["Target"]["Input"])["due_at"] == "2026-11-20T08:00:00+00:00"


def test_processed_or_missing_dates_have_no_schedule(cycle):
    scheduling.arm(cycle)
    scheduling.arm(cycle.model_copy(update={"opened_at": cycle.opens_at}))
    assert sorted(armed()) == ["oc-week-48-close"]

    scheduling.arm(cycle.with_dates(None, None))
    assert armed() == {}
    scheduling.arm(cycle.with_dates(cycle.opens_at, None))  # undated until both are set
    assert armed() == {}


def test_disarm_deletes_both_and_tolerates_schedules_already_gone(cycle):
    scheduling.arm(cycle)
    schedules.delete_schedule("oc-week-48-open")
    scheduling.disarm(CYCLE)
    assert armed() == {}


def test_a_scheduler_error_does_not_fail_the_save(cycle, monkeypatch, caplog):
    def unavailable(*args, **kwargs):
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "try later"}}, "UpdateSchedule")

    monkeypatch.setattr(scheduling, "put_schedule", unavailable)
    scheduling.arm(cycle)
    assert "the sweep will process the cycle" in caplog.text
    assert armed() == {}
