"""Producer notifications on the embedded AWS (seed 003, "Notifier les producteurs"): "notify
now" with the current totals, the recorded runs shown to the coordinator, and SES bounces and
complaints (SES → EventBridge → `on_ses_event`) marking a notification failed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from scheduler_fixtures import CARROTS_1KG, CLOSES, CYCLE, load_cycle, load_enterprises, load_orders, place_order, recipients

from hubcycle.errors import NotFound
from hubcycle.local.apps import LambdaContext, load_function
from hubcycle.repository import keys
from hubcycle.repository.notifications import OutboxRepository, email_item
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services import scheduling
from hubcycle.services.notifications import notifications_of, notify_producers


@pytest.fixture
def hub(aws, clock):
    load_enterprises()
    load_cycle()
    load_orders()


def ses_event(detail_type: str, detail: dict) -> dict:
    return {"version": "0", "id": "5c1f", "detail-type": detail_type, "source": "aws.ses", "account": "123456789012",
            "time": "2026-11-23T18:05:00Z", "region": "eu-west-1", "resources": [], "detail": detail}


def test_notify_now_sends_the_current_totals_and_records_the_run(hub, clock, mailbox):
    assert notify_producers(CYCLE, automatic=False) == 2
    assert recipients(mailbox()) == ["dairy@example.org", "farm@example.org"]
    assert notify_producers(CYCLE, automatic=False) == 0, "a double click in the same second sends nothing twice"

    place_order(5, [(CARROTS_1KG, 4)])
    clock.advance(timedelta(minutes=5))
    assert notify_producers(CYCLE, automatic=False) == 2
    farm = [m for m in mailbox() if m["to"] == ["farm@example.org"]]
    assert "Carrots | 1 kg | 3 | 2.40 EUR | 7.20 EUR" in farm[0]["text"]
    assert "Carrots | 1 kg | 7 | 2.40 EUR | 16.80 EUR" in farm[1]["text"]

    runs = [(n["run"], n["supplier_id"], n["status"]) for n in notifications_of(CYCLE)]
    assert runs == [
        ("manual-2026-11-23T09:00:00Z", "dairy", "sent"), ("manual-2026-11-23T09:00:00Z", "farm", "sent"),
        ("manual-2026-11-23T09:05:00Z", "dairy", "sent"), ("manual-2026-11-23T09:05:00Z", "farm", "sent"),
    ]
    assert all(n["sent_at"] and n["reason"] is None for n in notifications_of(CYCLE))


def test_notify_now_after_the_closing_is_a_new_run_and_the_automatic_one_is_not_repeated(hub, clock, mailbox):
    clock.freeze(CLOSES)
    scheduling.catch_up(OrderCycleRepository().get(CYCLE))
    assert len(recipients(mailbox())) == 2
    assert notify_producers(CYCLE, automatic=True) == 0
    assert notify_producers(CYCLE, automatic=False) == 2
    assert len(recipients(mailbox())) == 4


def test_notify_now_without_orders_sends_nothing_and_an_unknown_cycle_is_404(aws, clock, mailbox):
    load_enterprises()
    load_cycle()
    assert notify_producers(CYCLE, automatic=False) == 0
    assert mailbox() == [] and notifications_of(CYCLE) == []
    with pytest.raises(NotFound):
        notify_producers("nope", automatic=False)


def test_a_bounce_marks_that_producers_notification_failed(hub, clock, mailbox):
    notify_producers(CYCLE, automatic=False)
    farm_message = next(m["id"] for m in mailbox() if m["to"] == ["farm@example.org"])
    scheduler = load_function("scheduler")
    bounce = {"eventType": "Bounce", "mail": {"messageId": farm_message},
              "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "farm@example.org"}]}}

    answer = scheduler.on_ses_event(ses_event("Email Bounced", bounce), LambdaContext("hubcycle-scheduler"))

    assert answer == {"notifications_failed": 1}
    statuses = {n["supplier_id"]: (n["status"], n["reason"]) for n in notifications_of(CYCLE)}
    assert statuses == {"farm": ("failed", "Bounce: Permanent"), "dairy": ("sent", None)}


def test_a_complaint_marks_it_failed_and_unknown_messages_change_nothing(hub, clock, mailbox):
    notify_producers(CYCLE, automatic=False)
    dairy_message = next(m["id"] for m in mailbox() if m["to"] == ["dairy@example.org"])
    scheduler, context = load_function("scheduler"), LambdaContext("hubcycle-scheduler")
    complaint = {"eventType": "Complaint", "mail": {"messageId": dairy_message},
                 "complaint": {"complaintFeedbackType": "abuse"}}
    assert scheduler.on_ses_event(ses_event("Email Complaint Received", complaint), context) == {"notifications_failed": 1}
    stranger = {"eventType": "Bounce", "mail": {"messageId": "not-ours"}, "bounce": {"bounceType": "Transient"}}
    assert scheduler.on_ses_event(ses_event("Email Bounced", stranger), context) == {"notifications_failed": 0}
    assert {n["supplier_id"]: n["status"] for n in notifications_of(CYCLE)} == {"dairy": "failed", "farm": "sent"}


def test_the_ses_message_id_is_the_one_the_mailbox_shows(hub, clock, mailbox):
    """The bounce lookup relies on it: SES events carry the id SendEmail returned."""
    notify_producers(CYCLE, automatic=False)
    items = OutboxRepository().partition(keys.order_cycle(CYCLE), keys.NOTIFICATION_PREFIX)
    assert sorted(i["ses_message_id"] for i in items) == sorted(m["id"] for m in mailbox())


def test_a_step_with_more_outbox_items_than_a_transaction_holds_records_them_all(aws, clock):
    load_enterprises()
    cycle = load_cycle()
    processed = cycle.model_copy(update={"processed_at": CLOSES, "version": cycle.version + 1})
    items = [email_item(CYCLE, "close-x", f"supplier-{n:03d}", "token", CLOSES) for n in range(150)]

    written = OutboxRepository().record(cycle, processed, items)

    assert len(written) == 150
    assert OrderCycleRepository().get(CYCLE).processed_at == CLOSES
    assert len(notifications_of(CYCLE)) == 150
    assert OutboxRepository().record(cycle, processed, items) is None, "the version read is gone: nothing recorded"


def test_outbox_items_written_already_are_kept_as_they_are(aws, clock):
    load_enterprises()
    load_cycle()
    outbox = OutboxRepository()
    [first] = outbox.add([email_item(CYCLE, "manual-1", "farm", "first-claim", CLOSES)])
    outbox.mark_sent(first, "first-claim", CLOSES, "ses-1")

    written = outbox.add([email_item(CYCLE, "manual-1", "farm", "second-claim", CLOSES),
                          email_item(CYCLE, "manual-1", "dairy", "second-claim", CLOSES)])

    assert [w.supplier_id for w in written] == ["dairy"]
    assert {n["supplier_id"]: n["status"] for n in notifications_of(CYCLE)} == {"farm": "sent", "dairy": "pending"}
