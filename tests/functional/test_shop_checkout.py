"""Checkout through Chalice's test client on moto: the order is priced with the domain's fees,
stored with its stock taken in one transaction, confirmed by email, idempotent, and every refusal
is the contract's error with nothing written."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from shop_fixtures import (
    CARD,
    CARROTS_1KG,
    CARROTS_5KG,
    CHEESE,
    DELIVERY,
    EGGS,
    HUB,
    PICKUP_INSTRUCTIONS,
    READY_FOR,
    json_of,
    load_hub,
    order_body,
    post_order,
    stock,
)

from hubcycle.enterprises import Enterprise, PaymentMethod, ShippingMethod
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange
from hubcycle.products import Product, Variant
from hubcycle.repository import keys
from hubcycle.repository.base import Repository, TransactionCancelled, update_action
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository

BASKET = {CARROTS_1KG: 2, EGGS: 1, CHEESE: 1}


def nothing_was_written(ids) -> bool:
    return (
        OrderRepository().orders_of_cycle(ids.cycle) == []
        and EnterpriseRepository().customers(HUB) == []
        and stock(CARROTS_1KG, ids.cycle, ids.later_cycle) == [10, 10, 10]
        and stock(CHEESE, ids.cycle, ids.later_cycle) == [3, 3, 3]
    )


def set_on_hand_of_variant_only(variant_id: str, on_hand: int, on_demand: bool = False) -> None:
    """What another writer did after this checkout read the cycle's offers."""
    Repository().transact([update_action(keys.variant(variant_id), keys.VARIANT_SK,
                                         "SET on_hand = :n, on_demand = :d", {":n": on_hand, ":d": on_demand})])


def test_an_order_is_priced_stored_and_takes_its_stock_in_one_transaction(shop_app, clock, aws_requests):
    ids = load_hub(clock.now())
    aws_requests.clear()

    response = post_order(shop_app, ids.cycle, order_body(BASKET, shipping=DELIVERY, payment=CARD))

    assert response.status_code == 201
    order = json_of(response)
    assert order["number"] == f"HC-{order['id']}"
    assert [(i["variant_id"], i["quantity"], i["price"], i["total"]) for i in order["items"]] == [
        (CARROTS_1KG, 2, "3.14", "6.28"), (EGGS, 1, "3.70", "3.70"), (CHEESE, 1, "6.50", "6.50")]
    assert order["item_total"] == "14.00"
    assert order["adjustments"] == [
        {"label": "Sales: Order preparation", "amount": "2.00"},
        {"label": "Shipping: Home delivery", "amount": "4.50"},
        {"label": "Payment: Card", "amount": "0.30"},
    ]
    assert (order["fee_total"], order["total"]) == ("9.28", "23.28")
    assert (order["ready_for"], order["pickup_instructions"]) == (READY_FOR, PICKUP_INSTRUCTIONS)

    assert dict(aws_requests) == {
        "dynamodb.Query": 1, "dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 2, "sesv2.SendEmail": 1,
    }  # the second transaction takes the sold carrots and cheese from their copies in the later
    # cycle, which offers them too; the shop writes nothing outside transactions (its IAM policy)
    [stored] = OrderRepository().orders_of_cycle(ids.cycle)
    assert (stored.id, stored.total, stored.customer.email) == (order["id"], Decimal("23.28"), "zoe@example.org")
    assert stock(CARROTS_1KG, ids.cycle, ids.later_cycle) == [8, 8, 8]
    assert stock(CHEESE, ids.cycle, ids.later_cycle) == [2, 2, 2]
    assert stock(EGGS, ids.cycle) == [None, None]
    [customer] = EnterpriseRepository().customers(HUB)
    assert (customer.email, customer.name) == ("zoe@example.org", "Zoé Martin")


def test_lines_naming_the_same_variant_are_one_line(shop_app, clock):
    ids = load_hub(clock.now())
    body = order_body({})
    body["items"] = [{"variant_id": CARROTS_1KG, "quantity": 1}, {"variant_id": CARROTS_1KG, "quantity": 2}]
    order = json_of(post_order(shop_app, ids.cycle, body))
    assert [(i["variant_id"], i["quantity"], i["total"]) for i in order["items"]] == [(CARROTS_1KG, 3, "9.42")]
    assert stock(CARROTS_1KG, ids.cycle) == [7, 7]


def test_a_customer_keeps_the_tags_the_hub_gave_them(shop_app, clock):
    ids = load_hub(clock.now())
    post_order(shop_app, ids.cycle, order_body({CHEESE: 1}, name="Zoe"), key="first")
    enterprises = EnterpriseRepository()
    enterprises.put_customer(enterprises.get_customer(HUB, "zoe@example.org").model_copy(update={"tags": ["member"]}))
    post_order(shop_app, ids.cycle, order_body({CHEESE: 1}, name="Zoé Martin"), key="second")
    customer = enterprises.get_customer(HUB, "zoe@example.org")
    assert (customer.name, customer.tags) == ("Zoé Martin", ["member"])


def test_the_shopper_is_emailed_a_confirmation_in_the_hubs_time(shop_app, clock, mailbox):
    ids = load_hub(clock.now())
    body = order_body(BASKET, shipping=DELIVERY, payment=CARD, name="Zoé <b>Martin</b>")
    order = json_of(post_order(shop_app, ids.cycle, body))

    [mail] = mailbox()
    assert mail["to"] == ["zoe@example.org"] and mail["reply_to"] == ["hub@example.org"]
    assert mail["subject"] == f"Order {order['number']} confirmed: Croix-Rousse Food Hub"
    assert "Croix-Rousse Food Hub" in mail["from"]
    text = mail["text"]
    for expected in (order["number"], "Monday 23 November 2026, 10:00 (Europe/Paris)", f"Ready for: {READY_FOR}",
                     "2 × Carrots, 1 kg (3.14 each): 6.28", "1 × Tomme, Wedge (6.50 each): 6.50",
                     "Sales: Order preparation: 2.00", "Shipping: Home delivery: 4.50", "Payment: Card: 0.30",
                     "Total: 23.28", "Fees included in the total: 9.28", PICKUP_INSTRUCTIONS):
        assert expected in text
    assert text.index("Shipping: Home delivery\n") < text.index(PICKUP_INSTRUCTIONS)  # seed 003: just below
    html = mail["html"]
    assert "Zoé &lt;b&gt;Martin&lt;/b&gt;" in html and "<b>Martin" not in html
    assert "Ring twice &amp; wait &lt;here&gt;." in html and "<here>" not in html
    assert "23.28" in html and order["number"] in html


def test_a_french_shop_confirms_in_french(shop_app, clock, mailbox):
    ids = load_hub(clock.now(), language="fr")
    post_order(shop_app, ids.cycle, order_body(BASKET, shipping=DELIVERY, payment=CARD))
    [mail] = mailbox()
    assert mail["subject"].startswith("Commande HC-") and mail["subject"].endswith("confirmée : Croix-Rousse Food Hub")
    assert "Passée le: lundi 23 novembre 2026, 10:00 (Europe/Paris)" in mail["text"]
    assert "Total: 23,28" in mail["text"] and "Modalités de retrait" in mail["html"]


def test_an_order_stands_when_the_email_cannot_be_sent(shop_app, clock, mailbox, monkeypatch):
    ids = load_hub(clock.now())
    monkeypatch.setenv("HUBCYCLE_SENDER", "not-verified@example.org")  # SES answers MessageRejected

    response = post_order(shop_app, ids.cycle, order_body({CHEESE: 1}))

    assert response.status_code == 201
    assert [o.id for o in OrderRepository().orders_of_cycle(ids.cycle)] == [json_of(response)["id"]]
    assert mailbox() == [] and stock(CHEESE, ids.cycle) == [2, 2]


def test_an_order_of_products_no_other_cycle_offers_costs_two_reads_and_one_transaction(shop_app, clock, aws_requests):
    ids = load_hub(clock.now())
    aws_requests.clear()

    response = post_order(shop_app, ids.cycle, order_body({CARROTS_5KG: 1, EGGS: 2}), key="3f2c9a")

    assert response.status_code == 201
    assert dict(aws_requests) == {
        "dynamodb.Query": 1, "dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1, "sesv2.SendEmail": 1}


def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(shop_app, clock, mailbox, aws_requests):
    ids = load_hub(clock.now())
    first = post_order(shop_app, ids.cycle, order_body(BASKET), key="c0ffee")
    aws_requests.clear()

    again = post_order(shop_app, ids.cycle, order_body(BASKET), key="c0ffee")

    assert (first.status_code, again.status_code) == (201, 201)
    assert json_of(again) == json_of(first) | {"manage_url": None}  # only the link's hash is kept: it is in the email
    assert dict(aws_requests) == {  # the transaction is refused by the order already there, which is read
        "dynamodb.Query": 1, "dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1, "dynamodb.GetItem": 1}
    assert len(OrderRepository().orders_of_cycle(ids.cycle)) == 1 and len(mailbox()) == 1
    assert stock(CHEESE, ids.cycle, ids.later_cycle) == [2, 2, 2]


def test_a_retry_after_the_cycle_closed_still_gets_its_order(shop_app, clock, mailbox):
    """The answer was lost, the shopper retries after closing time: the order stands and is shown."""
    ids = load_hub(clock.now())
    first = json_of(post_order(shop_app, ids.cycle, order_body(BASKET), key="c0ffee"))
    clock.advance(timedelta(days=30))

    again = post_order(shop_app, ids.cycle, order_body(BASKET), key="c0ffee")
    other_key = post_order(shop_app, ids.cycle, order_body(BASKET), key="new-attempt")
    other_order = post_order(shop_app, ids.cycle, order_body({CHEESE: 1}), key="c0ffee")

    assert again.status_code == 201 and json_of(again) == first | {"manage_url": None}
    assert (other_key.status_code, json_of(other_key)["error"]["code"]) == (409, "order_cycle_closed")
    assert (other_order.status_code, json_of(other_order)["error"]["code"]) == (422, "idempotency_key_reused")
    assert len(OrderRepository().orders_of_cycle(ids.cycle)) == 1 and len(mailbox()) == 1


def test_a_retry_of_the_order_that_took_the_last_units_gets_that_order(shop_app, clock, mailbox):
    ids = load_hub(clock.now())
    first = json_of(post_order(shop_app, ids.cycle, order_body({CHEESE: 3}), key="c0ffee"))
    assert stock(CHEESE, ids.cycle) == [0, 0]

    again = post_order(shop_app, ids.cycle, order_body({CHEESE: 3}), key="c0ffee")
    someone_else = post_order(shop_app, ids.cycle, order_body({CHEESE: 3}, email="else@example.org"), key="other")

    assert again.status_code == 201 and json_of(again) == first | {"manage_url": None}
    assert (someone_else.status_code, json_of(someone_else)["error"]["code"]) == (409, "insufficient_stock")
    assert len(OrderRepository().orders_of_cycle(ids.cycle)) == 1 and len(mailbox()) == 1


def test_the_same_key_for_another_order_is_refused(shop_app, clock):
    ids = load_hub(clock.now())
    post_order(shop_app, ids.cycle, order_body({CHEESE: 1}), key="c0ffee")

    response = post_order(shop_app, ids.cycle, order_body({CHEESE: 2}), key="c0ffee")

    assert response.status_code == 422
    assert json_of(response)["error"]["code"] == "idempotency_key_reused"
    assert json_of(response)["error"]["field"] == "Idempotency-Key"
    assert len(OrderRepository().orders_of_cycle(ids.cycle)) == 1 and stock(CHEESE, ids.cycle) == [2, 2]


def test_keys_are_per_shop_and_cycle_and_optional(shop_app, clock):
    ids = load_hub(clock.now())
    in_one = json_of(post_order(shop_app, ids.cycle, order_body({CHEESE: 1}), key="same"))
    in_other = json_of(post_order(shop_app, ids.later_cycle, order_body({CHEESE: 1}), key="same"))
    keyless = [json_of(post_order(shop_app, ids.cycle, order_body({CARROTS_5KG: 1}), key=None)) for _ in range(2)]
    assert len({in_one["id"], in_other["id"], *(o["id"] for o in keyless)}) == 4
    assert len(OrderRepository().orders_of_cycle(ids.cycle)) == 3
    assert len(OrderRepository().orders_of_cycle(ids.later_cycle)) == 1
    assert stock(CHEESE, ids.cycle)[0] == 1 and stock(CARROTS_5KG, ids.cycle)[0] == 2


def test_a_refused_attempt_may_be_retried_with_its_key(shop_app, clock):
    ids = load_hub(clock.now())
    refused = post_order(shop_app, ids.cycle, order_body({CHEESE: 4}), key="retry-me")
    assert refused.status_code == 409
    catalogue = CatalogueRepository()
    cheese, offered_in = catalogue.get_variant(CHEESE)
    catalogue.save_variant(cheese.model_copy(update={"on_hand": 6}), cheese, offered_in)

    accepted = post_order(shop_app, ids.cycle, order_body({CHEESE: 4}), key="retry-me")

    assert accepted.status_code == 201
    assert stock(CHEESE, ids.cycle, ids.later_cycle) == [2, 2, 2]


@pytest.mark.parametrize("change, status, code, field", [
    (lambda b: b["items"].append({"variant_id": "ghost", "quantity": 1}), 422, "variant_not_sold_here", "ghost"),
    (lambda b: b.update(shipping_method_id="drone"), 422, "shipping_method_not_offered", "shipping_method_id"),
    (lambda b: b.update(payment_method_id="barter"), 422, "payment_method_not_offered", "payment_method_id"),
    (lambda b: b["items"][0].update(quantity=0), 422, "invalid_field", "items.0.quantity"),
    (lambda b: b["items"][0].update(quantity=-2), 422, "invalid_field", "items.0.quantity"),
    (lambda b: b["items"][0].update(quantity=1.5), 422, "invalid_field", "items.0.quantity"),
    (lambda b: b["items"][0].update(quantity="2"), 422, "invalid_field", "items.0.quantity"),
    (lambda b: b["items"][0].update(quantity=10_000), 422, "invalid_field", "items.0.quantity"),
    (lambda b: b.update(items=[]), 422, "invalid_field", "items"),
    (lambda b: b["customer"].update(email="not an email"), 422, "invalid_field", "customer.email"),
    (lambda b: b["customer"].pop("name"), 422, "invalid_field", "customer.name"),
    (lambda b: b.pop("shipping_method_id"), 422, "invalid_field", "shipping_method_id"),
    (lambda b: b["items"].append({"variant_id": CHEESE, "quantity": 4}), 409, "insufficient_stock", CHEESE),
])
def test_refusals_name_the_problem_and_write_nothing(shop_app, clock, change, status, code, field):
    ids = load_hub(clock.now())
    body = order_body({CARROTS_1KG: 1})
    change(body)

    response = post_order(shop_app, ids.cycle, body)

    assert response.status_code == status
    error = json_of(response)["error"]
    assert (error["code"], error["field"]) == (code, field) and error["message"]
    assert nothing_was_written(ids)


def test_a_variant_outside_this_shops_exchange_is_refused(shop_app, clock):
    ids = load_hub(clock.now())
    response = post_order(shop_app, ids.later_cycle, order_body({CARROTS_1KG: 1, EGGS: 1}))
    assert response.status_code == 422
    assert json_of(response)["error"]["field"] == EGGS
    assert nothing_was_written(ids)


@pytest.mark.parametrize("body, status, code", [
    (b"{not json", 400, "malformed_json"),
    (b"[1, 2]", 422, "invalid_body"),
])
def test_a_body_that_is_not_an_order_is_refused(shop_app, clock, body, status, code):
    ids = load_hub(clock.now())
    response = shop_app.http.post(f"/shops/hub/cycles/{ids.cycle}/orders", body=body,
                                  headers={"Content-Type": "application/json"})
    assert (response.status_code, json_of(response)["error"]["code"]) == (status, code)
    assert nothing_was_written(ids)


def test_an_unusable_idempotency_key_is_refused(shop_app, clock):
    ids = load_hub(clock.now())
    response = post_order(shop_app, ids.cycle, order_body({CHEESE: 1}), key="x" * 256)
    assert (response.status_code, json_of(response)["error"]["field"]) == (422, "Idempotency-Key")
    assert nothing_was_written(ids)


@pytest.mark.parametrize("moved", [timedelta(days=2), timedelta(days=-3)])
def test_a_cycle_that_is_not_open_takes_no_order(shop_app, clock, moved):
    ids = load_hub(clock.now())
    clock.advance(moved)
    response = post_order(shop_app, ids.cycle, order_body({CHEESE: 1}))
    assert (response.status_code, json_of(response)["error"]["code"]) == (409, "order_cycle_closed")
    assert nothing_was_written(ids)


def test_a_shop_that_does_not_sell_through_the_cycle_is_a_404(shop_app, clock):
    ids = load_hub(clock.now())
    response = post_order(shop_app, ids.cycle, order_body({CHEESE: 1}), shop_id="farm")
    assert response.status_code == 404
    assert nothing_was_written(ids)


def test_a_cycle_being_deleted_after_the_read_refuses_the_order_in_the_transaction(shop_app, clock, monkeypatch):
    ids = load_hub(clock.now())
    read = OrderCycleRepository.pricing

    def read_then_delete_starts(self, cycle_id):
        found = read(self, cycle_id)
        Repository().transact([update_action(keys.order_cycle(cycle_id), keys.CYCLE_SK, "SET deleting = :t", {":t": True})])
        return found

    monkeypatch.setattr(OrderCycleRepository, "pricing", read_then_delete_starts)
    response = post_order(shop_app, ids.cycle, order_body({CHEESE: 1}))
    assert (response.status_code, json_of(response)["error"]["code"]) == (409, "order_cycle_closed")
    assert nothing_was_written(ids)


def test_stock_sold_after_the_read_is_refused_by_the_transaction(shop_app, clock):
    ids = load_hub(clock.now())
    set_on_hand_of_variant_only(CHEESE, 1)  # the offer copies still say 3

    response = post_order(shop_app, ids.cycle, order_body({CARROTS_1KG: 1, CHEESE: 2}))

    assert response.status_code == 409
    assert json_of(response)["error"]["code"] == "insufficient_stock" and json_of(response)["error"]["field"] == CHEESE
    assert stock(CHEESE, ids.cycle, ids.later_cycle) == [1, 3, 3]
    assert stock(CARROTS_1KG, ids.cycle, ids.later_cycle) == [10, 10, 10]
    assert OrderRepository().orders_of_cycle(ids.cycle) == [] and EnterpriseRepository().customers(HUB) == []


def test_an_on_demand_variant_counted_again_after_the_read_is_checked(shop_app, clock):
    ids = load_hub(clock.now())
    set_on_hand_of_variant_only(EGGS, 0)
    response = post_order(shop_app, ids.cycle, order_body({EGGS: 1}))
    assert (response.status_code, json_of(response)["error"]["field"]) == (409, EGGS)
    assert nothing_was_written(ids)


def test_a_transaction_conflict_is_tried_again(shop_app, clock, monkeypatch):
    ids = load_hub(clock.now())
    transact = Repository.transact
    conflicts = []

    def busy_once(self, actions):
        if any("Put" in a for a in actions) and not conflicts:
            conflicts.append(1)
            raise TransactionCancelled(["None"] * 3 + ["TransactionConflict"] + ["None"] * (len(actions) - 4))
        return transact(self, actions)

    monkeypatch.setattr(Repository, "transact", busy_once)
    response = post_order(shop_app, ids.cycle, order_body({CHEESE: 1}))

    assert response.status_code == 201 and conflicts == [1]
    assert stock(CHEESE, ids.cycle, ids.later_cycle) == [2, 2, 2]


def test_conflicts_that_never_end_are_a_503_to_send_again_with_the_same_key(shop_app, clock, monkeypatch):
    ids = load_hub(clock.now())
    transact = Repository.transact

    def always_busy(self, actions):
        if any("Put" in a for a in actions):
            raise TransactionCancelled(["TransactionConflict"] * len(actions))
        return transact(self, actions)

    monkeypatch.setattr(Repository, "transact", always_busy)
    response = post_order(shop_app, ids.cycle, order_body({CHEESE: 1}), key="busy")
    assert (response.status_code, json_of(response)["error"]["code"]) == (503, "try_again")
    assert nothing_was_written(ids)

    monkeypatch.setattr(Repository, "transact", transact)
    assert post_order(shop_app, ids.cycle, order_body({CHEESE: 1}), key="busy").status_code == 201


def copies_in(actions: list[dict], cycle_id: str) -> list[str]:
    """The offer copies of `cycle_id` that a transaction updates, by variant."""
    return [a["Update"]["Key"]["SK"].removeprefix("OFFER#") for a in actions
            if "Update" in a and a["Update"]["Key"]["PK"] == keys.order_cycle(cycle_id)]


def test_a_copy_in_another_cycle_that_stays_busy_is_left_alone_and_the_others_are_updated(shop_app, clock, mailbox,
                                                                                          monkeypatch):
    ids = load_hub(clock.now())
    transact = Repository.transact

    def carrots_copy_always_busy(self, actions):
        if "Put" not in str(actions) and CARROTS_1KG in copies_in(actions, ids.later_cycle):
            raise TransactionCancelled(["TransactionConflict" if copy == CARROTS_1KG else "None"
                                        for copy in copies_in(actions, ids.later_cycle)])
        return transact(self, actions)

    monkeypatch.setattr(Repository, "transact", carrots_copy_always_busy)
    response = post_order(shop_app, ids.cycle, order_body({CARROTS_1KG: 2, CHEESE: 1}))

    assert response.status_code == 201 and len(mailbox()) == 1
    assert stock(CARROTS_1KG, ids.cycle, ids.later_cycle) == [8, 8, 10]  # the later cycle's listing lags
    assert stock(CHEESE, ids.cycle, ids.later_cycle) == [2, 2, 2]


def test_an_order_stands_when_the_copies_in_other_cycles_cannot_be_updated(shop_app, clock, mailbox, monkeypatch):
    """The order is placed when that step fails: the shopper gets the answer and the email."""
    ids = load_hub(clock.now())
    transact = Repository.transact

    def throttled(self, actions):
        if copies_in(actions, ids.later_cycle):
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                              "TransactWriteItems")
        return transact(self, actions)

    monkeypatch.setattr(Repository, "transact", throttled)
    response = post_order(shop_app, ids.cycle, order_body({CARROTS_1KG: 2}))

    assert response.status_code == 201 and len(mailbox()) == 1
    assert stock(CARROTS_1KG, ids.cycle, ids.later_cycle) == [8, 8, 10]


def test_an_order_that_cannot_fit_one_transaction_is_refused(shop_app, clock):
    """3 actions plus 2 per counted variant offered in one cycle: 48 variants fit in 100, 49 do not."""
    enterprises, catalogue, cycles = EnterpriseRepository(), CatalogueRepository(), OrderCycleRepository()
    enterprises.create(Enterprise(id="big", name="Big shop", kind="shop", is_producer=True, email="b@example.org",
                                  owner_email="b@example.org"))
    enterprises.add_shipping_method(ShippingMethod(id="ship", enterprise_id="big", name="Pickup"))
    enterprises.add_payment_method(PaymentMethod(id="pay", enterprise_id="big", name="Cash"))
    variant_ids = [f"seed-{n:02}" for n in range(49)]
    catalogue.create_product(Product(id="seeds", supplier_id="big", name="Seeds", unit="item", variants=[
        Variant(id=v, product_id="seeds", supplier_id="big", product_name="Seeds", name=v, unit="item",
                unit_value="1", price="1.00", on_hand=5) for v in variant_ids]))
    cycle = OrderCycle(id="big-week", coordinator_id="big", name="Big week", opens_at=clock.now() - timedelta(days=1),
                       closes_at=clock.now() + timedelta(days=1),
                       incoming=[IncomingExchange(supplier_id="big", variant_ids=variant_ids)],
                       outgoing=[OutgoingExchange(distributor_id="big", variant_ids=variant_ids, ready_for="Soon")])
    cycles.create(cycle)
    cycles.sync_offers(cycle, catalogue.get_variants_with_offers(variant_ids), {"big": "Big shop"})

    def order(variants):
        return post_order(shop_app, "big-week", order_body({v: 1 for v in variants}, shipping="ship", payment="pay"),
                          shop_id="big", key=None)

    too_many = order(variant_ids)
    assert too_many.status_code == 422
    error = json_of(too_many)["error"]
    assert (error["code"], error["field"]) == ("too_many_items", "items") and "at most 100" in error["message"]
    assert order(variant_ids[:48]).status_code == 201


def test_an_orders_size_limit_does_not_grow_with_the_cycles_a_variant_was_copied_into(shop_app, clock):
    """Weekly duplicates copy every offer again, so a variant's `offered_in` grows; a basket that
    fitted in one transaction must still fit. Here the carrots' copy says 120 more cycles offer
    them (long gone: their copies no longer exist)."""
    ids = load_hub(clock.now())
    gone = [f"gone-{n}" for n in range(120)]
    Repository().update(keys.order_cycle(ids.cycle), keys.offer(CARROTS_1KG), "SET offered_in = :all",
                        {":all": [ids.cycle, ids.later_cycle, *gone]})

    response = post_order(shop_app, ids.cycle, order_body({CARROTS_1KG: 2, CHEESE: 1}))
    assert response.status_code == 201, response.body
    assert stock(CARROTS_1KG, ids.cycle, ids.later_cycle) == [8, 8, 8]
