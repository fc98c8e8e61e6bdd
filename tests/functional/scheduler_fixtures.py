"""A hub cycle with three producers and orders, written through the repositories, for the
scheduler's tests; and a queue subscribed to the hubcycle bus, to see the events published."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from botocore.exceptions import ClientError

from hubcycle.adapters import mail
from hubcycle.adapters.aws import client
from hubcycle.enterprises import Enterprise
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange
from hubcycle.orders import LineItem, Order, OrderCustomer, OrderState
from hubcycle.repository.base import Repository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import order_item
from hubcycle.settings import settings

OPENS = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
CLOSES = datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc)
CYCLE = "week-48"
HUB, MARKET, FARM, DAIRY, BAKERY = "hub", "market", "farm", "dairy", "bakery"


def enterprise(enterprise_id: str, name: str, **fields) -> Enterprise:
    return Enterprise(id=enterprise_id, name=name, email=f"{enterprise_id}@example.org",
                      owner_email=f"owner@{enterprise_id}.example.org", **{"kind": "profile", **fields})


def load_enterprises(*, customer_names: bool = False) -> None:
    repository = EnterpriseRepository()
    for item in (
        enterprise(HUB, "Green Hub", kind="hub", timezone="Europe/Paris", customer_names_to_suppliers=customer_names),
        enterprise(MARKET, "Market Hall", kind="hub"),
        enterprise(FARM, "Oak Farm", is_producer=True),
        enterprise(DAIRY, "Laiterie du Val", is_producer=True, language="fr"),
        enterprise(BAKERY, "Bakery", is_producer=True),
    ):
        repository.create(item)


def load_cycle(cycle_id: str = CYCLE, *, opens_at=OPENS, closes_at=CLOSES, automatic: bool = True,
               **fields) -> OrderCycle:
    cycle = OrderCycle(
        id=cycle_id, coordinator_id=HUB, name="Week 48", opens_at=opens_at, closes_at=closes_at,
        automatic_notifications=automatic,
        incoming=[
            IncomingExchange(supplier_id=FARM, variant_ids=["carrots-1kg", "carrots-5kg"],
                             receival_instructions="Bring the crates to the barn by Friday 8am."),
            IncomingExchange(supplier_id=DAIRY, variant_ids=["tomme"], receival_instructions="Livraison au frais."),
            IncomingExchange(supplier_id=BAKERY, variant_ids=["bread"]),
        ],
        outgoing=[
            OutgoingExchange(distributor_id=HUB, variant_ids=["carrots-1kg", "carrots-5kg", "tomme", "bread"],
                             ready_for="Saturday 28 Nov"),
            OutgoingExchange(distributor_id=MARKET, variant_ids=["carrots-1kg", "tomme"], ready_for="Sunday 29 Nov"),
        ],
        **fields,
    )
    OrderCycleRepository().create(cycle)
    return cycle


CARROTS_1KG = ("carrots-1kg", FARM, "Carrots", "1 kg", "2.40")
CARROTS_5KG = ("carrots-5kg", FARM, "Carrots", "5 kg", "10.00")
TOMME = ("tomme", DAIRY, "Tomme", "piece", "6.00")


def place_order(number: int, lines: list[tuple[tuple, int]], *, cycle_id: str = CYCLE, distributor_id: str = HUB,
                customer: str = "Ada Lovelace", state: OrderState = OrderState.placed, language: str | None = None) -> Order:
    """An order as checkout stores it (fees left out: the producer email does not show them)."""
    items = [
        LineItem(variant_id=variant_id, supplier_id=supplier_id, product_name=product, variant_name=variant,
                 quantity=quantity, base_price=price, price=price, total=Decimal(price) * quantity)
        for (variant_id, supplier_id, product, variant, price), quantity in lines
    ]
    order = Order(
        id=f"{cycle_id}-order-{number}", number=str(number), order_cycle_id=cycle_id, distributor_id=distributor_id,
        customer=OrderCustomer(email=f"customer{number}@example.org", name=customer), items=items,
        shipping_method_id="pickup", payment_method_id="cash", state=state,
        created_at=OPENS + timedelta(hours=number), language=language,
    )
    Repository().put(order_item(order))
    return order


def load_orders() -> None:
    """Farm: carrots 1 kg x 3 (two orders, two hubs) and 5 kg x 1; dairy: tomme x 2; bakery:
    nothing; a cancelled order of 9 tommes that must not count."""
    place_order(1, [(CARROTS_1KG, 2), (TOMME, 1)], customer="Ada Lovelace")
    place_order(2, [(CARROTS_1KG, 1), (CARROTS_5KG, 1)], distributor_id=MARKET, customer="Grace Hopper")
    place_order(3, [(TOMME, 1)], customer="Alan Turing")
    place_order(4, [(TOMME, 9)], customer="Cancelled Customer", state=OrderState.cancelled)


def schedule_event(action: str, due: datetime, cycle_id: str = CYCLE) -> dict:
    return {"order_cycle_id": cycle_id, "action": action, "due_at": due.isoformat()}


class BusQueue:
    """An SQS queue behind a rule catching everything hubcycle publishes on its bus."""

    def __init__(self):
        sqs, bus = client("sqs"), settings().event_bus
        self.url = sqs.create_queue(QueueName="bus-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events = client("events")
        events.put_rule(Name="everything", EventBusName=bus, EventPattern=json.dumps({"source": ["hubcycle"]}))
        events.put_targets(Rule="everything", EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
        self._seen: list[dict] = []

    def events(self) -> list[dict]:
        """Every event received so far, oldest first, as (detail-type, detail)."""
        sqs = client("sqs")
        while True:
            messages = sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return [(e["detail-type"], e["detail"]) for e in self._seen]
            for message in messages:
                self._seen.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])


def recipients(mails: list[dict]) -> list[str]:
    """Who got a producer email: the hubs' closing summaries (to hub@ and market@) left out."""
    return sorted(address for mail in mails for address in mail["to"] if address not in HUB_EMAILS)


HUB_EMAILS = {f"{HUB}@example.org", f"{MARKET}@example.org"}


def summaries(mails: list[dict]) -> list[str]:
    """Who got a closing summary."""
    return sorted(address for mail in mails for address in mail["to"] if address in HUB_EMAILS)


def first_send_throttled(monkeypatch) -> list:
    """SES answers the first SendEmail with a throttling error, then sends; returns each call's `to`."""
    real_send, calls = mail.send_email, []

    def first_fails(message):
        calls.append(message.to)
        if len(calls) == 1:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")
        return real_send(message)

    monkeypatch.setattr(mail, "send_email", first_fails)
    return calls
