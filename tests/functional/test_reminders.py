"""Customer reminders (issue 16) on the embedded AWS: "shop open", "closing soon" and "ready for
pickup" emails sent once per customer through the scheduler function, with duplicate invocations
and injected SES failures; the RFC 8058 one-click unsubscribe POSTed without a cookie; bounces;
the outgoing exchange's tags; the admin's counts."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import shop_fixtures as shop
from admin_fixtures import people  # noqa: F401 - a fixture
from scheduler_fixtures import (
    CLOSES,
    CYCLE,
    HUB,
    MARKET,
    TOMME,
    first_send_throttled,
    load_cycle,
    load_enterprises,
    place_order,
    recipients,
)

from hubcycle.adapters.aws import client
from hubcycle.enterprises import Customer, Reminders
from hubcycle.local.apps import LambdaContext, load_function
from hubcycle.local.scheduler_loop import SchedulerLoop
from hubcycle.order_cycles import OrderCycle
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services import reminders
from hubcycle.settings import settings

OWNER = "owner@hub.example.org"
MEMBERS = ["ada@example.org", "cy@example.org", "customer1@example.org"]


@pytest.fixture
def hub(aws, clock, monkeypatch):
    monkeypatch.setenv("HUBCYCLE_SES_RATE", "1000")
    load_enterprises()
    load_cycle()
    repository = EnterpriseRepository()
    for email, tags in (("ada@example.org", ["members"]), ("bob@example.org", []), ("cy@example.org", ["members"]),
                        ("customer1@example.org", ["members"])):
        repository.put_customer(Customer(enterprise_id=HUB, email=email, name=email.split("@")[0].title(), tags=tags))
    repository.put_customer(Customer(enterprise_id=MARKET, email="market-only@example.org", name="Mo"))


def fire(cycle_id: str = CYCLE) -> dict:
    event = {"order_cycle_id": cycle_id, "action": "remind", "due_at": "2026-11-23T09:00:02+00:00"}
    return load_function("scheduler").on_schedule(event, LambdaContext("hubcycle-scheduler"))


def armed() -> list[str]:
    """The times of the cycle's reminder schedules, earliest first."""
    listed = client("scheduler").list_schedules(GroupName=settings().schedule_group, NamePrefix=f"oc-{CYCLE}-remind-")
    names = [s["Name"] for s in listed["Schedules"]]
    return sorted(client("scheduler").get_schedule(Name=n, GroupName=settings().schedule_group)["ScheduleExpression"]
                  for n in names)


def fire_due(clock) -> int:
    """What Scheduler does at this time: invoke each schedule due, then delete it."""
    return SchedulerLoop().fire_due(clock.now())


def set_reminders(**chosen) -> None:
    repository = EnterpriseRepository()
    hub = repository.get(HUB)
    repository.save(hub.model_copy(update={"reminders": Reminders(**chosen)}))


def change_cycle(**changes) -> OrderCycle:
    cycles = OrderCycleRepository()
    previous = cycles.get(CYCLE)
    changed = previous.with_dates(changes.pop("opens_at", previous.opens_at), previous.closes_at)
    changed = OrderCycle.model_validate({**changed.model_dump(), **changes})
    return cycles.save(changed, previous)


def unsubscribe_link(message: dict) -> str:
    return re.search(r"Stop these emails: (\S+)", message["text"]).group(1)


def test_shop_open_goes_once_to_each_customer_and_unsubscribe_is_one_click(hub, clock, mailbox, people, shop_app):
    owner = people(OWNER)
    answer = owner.patch(f"/enterprises/{HUB}", {"reminders": {"shop_open": True, "closing_soon_hours": None}}).ok()
    assert answer["reminders"] == {"shop_open": True, "closing_soon_hours": None}
    assert armed() == ["at(2026-11-23T09:00:02)"], "the open cycle's shops are reminded now"

    clock.advance(timedelta(seconds=2))
    assert fire_due(clock) == 1
    assert fire() == {}, "a second invocation sends nothing again"
    assert recipients(mailbox()) == ["ada@example.org", "bob@example.org", "customer1@example.org", "cy@example.org"]
    assert armed() == ["at(2026-11-23T09:02:00)"], "only the guard against a crash, once the claims are stale"
    clock.advance(timedelta(minutes=2))
    assert fire_due(clock) == 1 and armed() == [] and len(mailbox()) == 4, "nothing else is owed"

    ada = next(m for m in mailbox() if m["to"] == ["ada@example.org"])
    assert ada["subject"] == "Green Hub is open for orders until Monday 23 November, 19:00"
    assert "Hello Ada," in ada["text"] and "Ready for: Saturday 28 Nov" in ada["text"]
    assert f"Order here: {settings().storefront_origin}/#/shops/hub/cycles/{CYCLE}" in ada["text"]
    link = unsubscribe_link(ada)
    assert ada["headers"]["List-Unsubscribe"] == f"<{link}>"
    assert ada["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<img" not in ada["html"] and link in ada["html"]
    counts = owner.get(f"/order-cycles/{CYCLE}/reminders").ok()
    assert counts["shop_open"] == {"sent": 4, "pending": 0, "failed": 0}
    assert counts["closing_soon"] == counts["ready"] == {"sent": 0, "pending": 0, "failed": 0}
    assert people("stranger@example.org").get(f"/order-cycles/{CYCLE}/reminders").status == 403

    path = urlsplit(link).path
    page = shop_app.http.get(path)
    assert page.status_code == 200 and b"Unsubscribe</button>" in page.body, "a GET asks, never unsubscribes"
    bad = shop_app.http.post(path, headers={"Content-Type": "application/x-www-form-urlencoded"}, body=b"")
    assert bad.status_code == 422
    forged = shop_app.http.post(path[:-3] + "AAA", headers={"Content-Type": "application/x-www-form-urlencoded"},
                                body=b"List-Unsubscribe=One-Click")
    assert forged.status_code == 404
    done = shop_app.http.post(path, headers={"Content-Type": "application/x-www-form-urlencoded"},
                              body=b"List-Unsubscribe=One-Click")
    assert done.status_code == 200
    assert b"gets no more" in shop_app.http.get(path).body

    change_cycle(opens_at=clock.now() - timedelta(minutes=5))
    reminders.arm(OrderCycleRepository().get(CYCLE))
    assert fire() == {"RemindersSent": 3}, "a moved opening is a new reminder: all but the unsubscribed"
    assert "ada@example.org" not in recipients(mailbox()[4:])


def test_closing_soon_respects_tags_orders_failures_and_bounces(hub, clock, mailbox, monkeypatch):
    set_reminders(closing_soon_hours=12)
    change_cycle(outgoing=[{**e.model_dump(), "tags": ["members"] if e.distributor_id == HUB else []}
                           for e in OrderCycleRepository().get(CYCLE).outgoing])
    place_order(1, [(TOMME, 1)])  # customer1 ordered: not reminded
    clock.freeze(CLOSES - timedelta(hours=11))
    first_send_throttled(monkeypatch)
    assert fire() == {"RemindersSent": 1, "ReminderFailures": 1}
    assert "at(2026-11-23T07:05:00)" in armed(), "SES errors: retried in 5 minutes"
    clock.advance(timedelta(minutes=5))
    assert fire() == {"RemindersSent": 1}
    assert fire() == {}
    assert recipients(mailbox()) == ["ada@example.org", "cy@example.org"], "members who have not ordered, once each"
    assert "closes soon" in mailbox()[0]["subject"]

    cy = next(m for m in mailbox() if m["to"] == ["cy@example.org"])
    bounce = {"eventType": "Bounce", "mail": {"messageId": cy["id"]},
              "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "cy@example.org"}]}}
    ses_event = {"detail-type": "Email Bounced", "source": "aws.ses", "detail": bounce, "version": "0", "id": "1",
                 "account": "123456789012", "time": "2026-11-23T08:00:00Z", "region": "eu-west-1", "resources": []}
    load_function("scheduler").on_ses_event(ses_event, LambdaContext("hubcycle-scheduler"))
    set_reminders(shop_open=True, closing_soon_hours=12)
    assert fire() == {"RemindersSent": 2}
    assert recipients(mailbox()[2:]) == ["ada@example.org", "customer1@example.org"], "the bounced address gets nothing more"


def test_ready_for_pickup_goes_to_those_who_ordered_with_their_order(hub, clock, mailbox):
    ready_at = clock.now() + timedelta(hours=1)
    change_cycle(outgoing=[{**e.model_dump(), "ready_reminder_at": ready_at if e.distributor_id == HUB else None,
                            "pickup_instructions": "Back door, 5-7pm"} for e in OrderCycleRepository().get(CYCLE).outgoing])
    place_order(1, [(TOMME, 2)])
    place_order(3, [(TOMME, 1)], customer="Alan Turing", language="fr")
    place_order(4, [(TOMME, 9)], state="cancelled")
    place_order(5, [(TOMME, 1)], distributor_id=MARKET)
    reminders.arm(OrderCycleRepository().get(CYCLE))
    assert armed() == ["at(2026-11-23T10:00:00)"]

    clock.freeze(ready_at)
    assert fire() == {"RemindersSent": 2}
    assert fire() == {}
    assert recipients(mailbox()) == ["customer1@example.org", "customer3@example.org"]
    alan = next(m for m in mailbox() if m["to"] == ["customer3@example.org"])
    assert alan["subject"] == "Votre commande 3 chez Green Hub est prête", "in the language he ordered in"
    assert "Modalités de retrait: Back door, 5-7pm" in alan["text"] and "1 × Tomme, piece: 6,00" in alan["text"]
    ada = next(m for m in mailbox() if m["to"] == ["customer1@example.org"])
    assert ada["subject"] == "Your order 1 from Green Hub is ready", "no language: the shop's"


def test_shop_open_and_closing_soon_are_in_each_customers_language(aws, clock, mailbox, shop_app, monkeypatch):
    """The language of the customer's last order at this shop (checkout keeps it on the customer);
    a customer the hub added, who never ordered, gets the shop's."""
    monkeypatch.setenv("HUBCYCLE_SES_RATE", "1000")
    ids = shop.load_hub(clock.now(), language="fr")
    orders = [("zoe@example.org", "en"), ("sam@example.org", "en"), ("sam@example.org", "fr")]
    for attempt, (email, language) in enumerate(orders):
        body = shop.order_body({shop.CARROTS_1KG: 1}, email=email, name=email.split("@")[0].title())
        placed = shop.post_order(shop_app, ids.later_cycle, body | {"language": language}, key=f"attempt-{attempt}")
        assert placed.status_code == 201, placed.body
    EnterpriseRepository().put_customer(Customer(enterprise_id=shop.HUB, email="hugo@example.org", name="Hugo"))
    set_reminders(shop_open=True, closing_soon_hours=72)

    sent_before = len(mailbox())
    assert fire(ids.cycle) == {"RemindersSent": 6}
    subjects = {(m["to"][0], m["subject"].removeprefix("Croix-Rousse Food Hub ")[:12])
                for m in mailbox()[sent_before:]}
    assert subjects == {("zoe@example.org", "is open for "), ("zoe@example.org", "closes soon:"),
                        ("sam@example.org", "est ouvert a"), ("sam@example.org", "ferme bientô"),
                        ("hugo@example.org", "est ouvert a"), ("hugo@example.org", "ferme bientô")}, subjects


def test_a_long_list_is_sent_over_several_invocations_each_email_once(hub, clock, mailbox, monkeypatch):
    monkeypatch.setattr(reminders, "SEND_BUDGET_SECONDS", 0.05)  # 25 emails an invocation at 1,000 a second
    repository = EnterpriseRepository()
    for number in range(60):
        repository.put_customer(Customer(enterprise_id=HUB, email=f"c{number:03}@example.org", name=f"C{number}"))
    set_reminders(shop_open=True)
    reminders.arm(OrderCycleRepository().get(CYCLE))

    invocations = 0
    for _ in range(30):
        clock.advance(timedelta(seconds=2))
        invocations += fire_due(clock)
        if len(mailbox()) == 64:
            break
    assert len(recipients(mailbox())) == len(set(recipients(mailbox()))) == 64, armed()
    assert fire() == {}, "a duplicate invocation at the end sends nothing"
    assert invocations >= 3, "the budget splits the list over invocations, each arming the next"


def test_the_settings_are_validated_and_ready_reminder_at_is_set_per_outgoing_exchange(hub, people):
    owner = people(OWNER)
    for wrong in ({"closing_soon_hours": 0}, {"closing_soon_hours": 73}, {"closing_soon_hours": "12"},
                  {"closing_soon_hours": 1.5}, {"shop_open": "yes"}, {"shop_open": True, "weekly": True}):
        error = owner.patch(f"/enterprises/{HUB}", {"reminders": wrong}).error(422)
        assert error["field"].startswith("reminders"), wrong
    assert EnterpriseRepository().get(HUB).reminders == Reminders(), "nothing stored"
    assert owner.patch(f"/enterprises/{HUB}", {"reminders": {"closing_soon_hours": 72}}).ok()["reminders"] == {
        "shop_open": False, "closing_soon_hours": 72}

    saved = owner.put(f"/order-cycles/{CYCLE}/outgoing/{HUB}", {"ready_reminder_at": "2026-11-28T09:00:00+01:00"}).ok()
    exchange = next(e for e in saved["outgoing"] if e["distributor_id"] == HUB)
    assert exchange["ready_reminder_at"] == "2026-11-28T08:00:00Z"
    assert owner.put(f"/order-cycles/{CYCLE}/outgoing/{HUB}", {"ready_reminder_at": "tomorrow"}).error(422)["field"] \
        == "ready_reminder_at"
