"""When an item AWS refused is tried again: 2 minutes after the first refusal, then 4 times longer
each time, on a whole minute (refusals of the same minute share one schedule)."""
from datetime import datetime, timezone

from hubcycle.services.outbox_retries import is_retry, retry_time

NOW = datetime(2026, 11, 28, 18, 0, 20, tzinfo=timezone.utc)


def test_each_refusal_waits_four_times_longer_on_a_whole_minute():
    waits = [(retry_time(attempts, NOW) - NOW).total_seconds() / 60 for attempts in (1, 2, 3, 4)]
    assert [round(w, 2) for w in waits] == [2.67, 8.67, 32.67, 128.67]
    assert {retry_time(a, NOW).second for a in (1, 2, 3, 4)} == {0}


def test_only_a_retry_schedules_input_is_a_retry():
    assert is_retry({"action": "retry_outbox"})
    assert not is_retry({"action": "close", "order_cycle_id": "week-48"}) and not is_retry("retry_outbox")
