"""Customer reminders (issue 16): a hub of 2,000 customers with "shop open" on, its cycle open, the
reminder schedule invoked until everything is sent, then twice more (nothing is sent again).
Counts the AWS requests per email; sends as fast as moto takes them (HUBCYCLE_SES_RATE high) and
derives the paced figures (14 a second, SES's first production quota) from the code's own budget;
prices a month of the active hub's reminders with bench/bill.py's prices."""
from __future__ import annotations

import math
import os
import time
from datetime import timedelta

from bill import MEMORY_GB, ORDERS, PRICES, WEEKS_PER_MONTH
from harness import AWSCalls, EmbeddedAWS, figure, main, section

from hubcycle.clock import clock
from hubcycle.enterprises import Customer, Enterprise, Reminders
from hubcycle.local.apps import LambdaContext, load_function
from hubcycle.local.mailbox import sent_mail
from hubcycle.order_cycles import OrderCycle, OutgoingExchange
from hubcycle.repository import keys
from hubcycle.repository.base import Repository, to_item
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.reminders import PAGE
from hubcycle.services import reminders

CUSTOMERS = 2000
PRODUCTION_RATE, SANDBOX_RATE = 14, 1
"""SES's sending quotas: a new production account's, and the sandbox's (which also caps 200 a day)."""
HUB, CYCLE = "bench-hub", "bench-week"


def load() -> None:
    hub = Enterprise(id=HUB, name="Bench Hub", kind="hub", email="hub@example.org", owner_email="owner@example.org",
                     timezone="Europe/Paris", reminders=Reminders(shop_open=True))
    EnterpriseRepository().create(hub)
    Repository().batch_write(puts=[
        to_item(Customer(enterprise_id=HUB, email=f"customer{n:05}@example.org", name=f"Customer {n}"),
                PK=keys.enterprise(HUB), SK=keys.customer(f"customer{n:05}@example.org"))
        for n in range(CUSTOMERS)])
    now = clock.now()
    OrderCycleRepository().create(OrderCycle(
        id=CYCLE, coordinator_id=HUB, name="Week", opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=7),
        outgoing=[OutgoingExchange(distributor_id=HUB, ready_for="Saturday")]))


def invoke() -> dict:
    event = {"order_cycle_id": CYCLE, "action": "remind", "due_at": clock.now().isoformat()}
    return load_function("scheduler").on_schedule(event, LambdaContext("hubcycle-scheduler"))


def invocations_at(rate: float) -> int:
    """Invocations to send the list at `rate`, by the code's budget: pages that fit in it."""
    page = max(1, min(PAGE, int(rate * reminders.SEND_BUDGET_SECONDS / 2)))
    pages_per_invocation = max(1, math.floor(reminders.SEND_BUDGET_SECONDS / (page / rate)))
    return math.ceil(math.ceil(CUSTOMERS / page) / pages_per_invocation)


def run(aws: EmbeddedAWS) -> dict:
    aws.reset()
    os.environ["HUBCYCLE_SES_RATE"] = "100000"
    load()
    section(f"8. Customer reminders (issue 16): \"shop open\" to {CUSTOMERS} customers (bench/reminders.py)")
    started, invocations = time.perf_counter(), 0
    with AWSCalls() as calls:
        while invoke().get("RemindersSent") and invocations < 50:
            invocations += 1
    wall = time.perf_counter() - started
    sent_again = sum(invoke().get("RemindersSent", 0) for _ in range(2))
    emails = len(sent_mail())
    ddb = calls.total("dynamodb")
    figure("reminders.shop_open.customers", CUSTOMERS)
    figure("reminders.shop_open.emails_sent", emails)
    figure("reminders.shop_open.sent_again_by_two_more_invocations", sent_again)
    figure("reminders.shop_open.ddb_requests_per_email", round(ddb / emails, 3))
    figure("reminders.shop_open.ddb_requests_by_operation", ", ".join(
        f"{name.split('.', 1)[1]} {n}" for name, n in sorted(calls.counts.items()) if name.startswith("dynamodb.")))
    pages = math.ceil(CUSTOMERS / PAGE)
    # each email is marked sent by a transaction of one (repository.notifications, `_as_claimant`)
    figure("reminders.shop_open.ddb_requests_per_page_of_99_besides_one_update_per_email",
           round((ddb - emails) / pages, 2))
    figure("reminders.shop_open.ses_requests_per_email", round(calls.counts["sesv2.SendEmail"] / emails, 3))
    figure("reminders.shop_open.write_units_per_email", round(calls.write_units / emails, 2))
    figure("reminders.shop_open.read_units_per_email", round(calls.read_units / emails, 3))
    figure("reminders.shop_open.unpaced_wall_seconds_on_moto", f"{wall:.1f} ({invocations} invocation(s))")
    for name, rate in (("production", PRODUCTION_RATE), ("sandbox", SANDBOX_RATE)):
        count = invocations_at(rate)
        figure(f"reminders.shop_open.minutes_at_{name}_rate_{rate}_per_second",
               f"{CUSTOMERS / rate / 60 + count * reminders.LEAD.total_seconds() / 60:.1f} ({count} invocations)")

    # A month of the active hub (bench/bill.py: 100 orders a week) with these 2,000 customers and
    # every reminder on: "shop open" to all, "closing soon" to those who have not ordered, "ready"
    # to those who have; each email as measured, the function billed while it paces at 14 a second.
    per_week = CUSTOMERS + (CUSTOMERS - ORDERS) + ORDERS
    monthly = per_week * WEEKS_PER_MONTH
    runs = 3 * WEEKS_PER_MONTH * invocations_at(PRODUCTION_RATE)
    cost = {
        "ses": monthly * PRICES["ses_email"],
        "dynamodb": monthly * (calls.write_units * PRICES["dynamodb_write_unit"]
                               + calls.read_units * PRICES["dynamodb_read_unit"]) / emails,
        "lambda": monthly / PRODUCTION_RATE * MEMORY_GB * PRICES["lambda_gb_second_x86"] + runs * PRICES["lambda_request"],
        "eventbridge scheduler": runs * 2 * PRICES["scheduler_invocation"],  # each invocation and its guard
    }
    figure("reminders.active_hub.emails_per_month", round(monthly))
    figure("cost.reminders.active_hub.usd_per_month", round(sum(cost.values()), 3))
    figure("cost.reminders.active_hub.breakdown_usd", ", ".join(
        f"{item} {usd:.4f}" for item, usd in sorted(cost.items(), key=lambda kv: -kv[1])))
    os.environ.pop("HUBCYCLE_SES_RATE")
    return cost


if __name__ == "__main__":
    main(run)
