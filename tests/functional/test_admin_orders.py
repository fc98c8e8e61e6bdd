"""Orders for the hub's managers (issue 13), through HTTP as each role: an order's page, the
list, corrections that reprice and move stock on the variant and every copy of it, cancelling,
paid and collected one by one or many at once, orders taken by phone, and the customer's email
about a change, sent once. Shoppers order through the shop app, as they would.

Seed 004's cast (admin_fixtures): Green Hub coordinates and sells apples, bread and cheese; the
Market sells apples and bread; the Farm, the Bakery and the Dairy supply. Every price is 2.50, and
every fee 0.50 per item: the hub's admin fee on everything, the farm's transport and the hub's
levy on the farm's products, the bakery's packing on its bread, the market's margin in its shop."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from admin_fixtures import armed, cast, people  # noqa: F401
from botocore.exceptions import ClientError
from chalice.test import Client
from orders_fixtures import ADDRESS, ZOE, bought, buy, hub, order_body, stock  # noqa: F401

from hubcycle.adapters import mail
from hubcycle.local.apps import load_function
from hubcycle.repository.orders import OrderRepository
from hubcycle.services import scheduling


def test_an_orders_page_has_what_the_hub_needs_and_only_its_managers_see_it_whole(hub, people):
    c = hub
    placed = bought(c, {"apples": 2, "bread": 1}, shipping_method_id=c["delivery"], delivery_address=ADDRESS)

    order = c.hub.get(f"/orders/{placed['id']}").ok()
    assert {k: order[k] for k in ("id", "number", "order_cycle_id", "distributor_id", "state", "paid", "collected",
                                  "history", "customer", "delivery_address")} == {
        "id": placed["id"], "number": placed["number"], "order_cycle_id": c.cycle, "distributor_id": c["hub"],
        "state": "placed", "paid": False, "collected": False, "history": [], "customer": ZOE,
        "delivery_address": ADDRESS}
    assert order["shipping_method"]["name"] == "Bike delivery" and order["shipping_method"]["pickup"] is False
    assert order["payment_method"]["name"] == "Cash"
    # 2 apples at 2.50 + 3 x 0.50; 1 bread at 2.50 + 2 x 0.50; delivery 3.00
    assert [(i["quantity"], i["total"]) for i in order["items"]] == [(2, "8.00"), (1, "3.50")]
    assert (order["item_total"], order["fee_total"], order["total"]) == ("7.50", "7.00", "14.50")
    sold = {k: v for k, v in placed.items() if k != "manage_url"}  # the shopper's private link is theirs alone
    assert {k: order[k] for k in sold} == sold, "the checkout's answer, as it was"

    assert c.market.get(f"/orders/{placed['id']}").error(403)["code"] == "forbidden", "another shop's order"
    assert people("stranger@example.org").get(f"/orders/{placed['id']}").error(403)
    assert c.hub.get("/orders/NOSUCHORDER").error(404)["code"] == "order_not_found"


def test_checkout_asks_where_to_deliver_and_keeps_it(hub):
    c = hub
    status, body = buy(c, {"apples": 1}, shipping_method_id=c["delivery"])
    assert status == 422 and body["error"]["field"] == "delivery_address"
    status, body = buy(c, {"apples": 1}, shipping_method_id=c["delivery"], delivery_address={**ADDRESS, "city": ""})
    assert status == 422 and body["error"]["field"] == "delivery_address.city"
    assert stock(c["apples"]) == [20], "a refused order takes nothing"

    assert bought(c, {"apples": 1}, delivery_address=ADDRESS)["delivery_address"] is None, "a pickup needs no address"
    assert bought(c, {"apples": 1}, shipping_method_id=c["delivery"], delivery_address=ADDRESS)["delivery_address"] == ADDRESS


def test_a_shortage_reprices_like_checkout_moves_stock_on_every_copy_and_tells_the_customer_once(hub, mailbox):
    c = hub
    next_week = c.hub.post(f"{c.path}/duplicate").ok(201)["id"]
    placed = bought(c, {"apples": 3, "bread": 2})
    assert stock(c["apples"], c.cycle, next_week) == [17, 17, 17]
    mailbox_before = len(mailbox())

    changed = c.hub.patch(f"/orders/{placed['id']}", {"items": [
        {"variant_id": c["apples"], "quantity": 1}, {"variant_id": c["bread"], "quantity": 0}]}).ok()

    assert [(i["variant_id"], i["quantity"]) for i in changed["items"]] == [(c["apples"], 1)]
    same_basket = bought(c, {"apples": 1}, customer={"email": "ida@example.org", "name": "Ida"})
    assert {k: changed[k] for k in ("items", "adjustments", "item_total", "fee_total", "total")} == \
           {k: same_basket[k] for k in ("items", "adjustments", "item_total", "fee_total", "total")}
    assert stock(c["apples"], c.cycle, next_week) == [18, 18, 18], "2 back, then 1 sold to Ida"
    assert stock(c["bread"], c.cycle, next_week) == [20, 20, 20]
    [entry] = changed["history"]
    assert entry["by"] == "hub@example.org" and entry["change"] == "Fruit (Apples): 3 → 1; Bakes (Bread) removed (was 2)"

    told = [m for m in mailbox()[mailbox_before:] if m["subject"].startswith("Order ")
            and "changed" in m["subject"]]
    assert len(told) == 1 and told[0]["to"] == ["zoe@example.org"]
    assert "Fruit (Apples): 3 → 1" in told[0]["text"] and "Bakes (Bread): removed (you had ordered 2)" in told[0]["text"]
    assert "New total: 4.00 EUR" in told[0]["text"]

    refused = c.hub.patch(f"/orders/{placed['id']}", {"items": [{"variant_id": c["apples"], "quantity": 30}]})
    assert refused.error(409) == {"code": "insufficient_stock", "field": c["apples"],
                                  "message": f"not enough stock left of variant {c['apples']}"}
    assert stock(c["apples"], c.cycle, next_week) == [18, 18, 18]
    assert c.hub.get(f"/orders/{placed['id']}").ok()["items"] == changed["items"], "nothing half written"
    assert c.hub.patch(f"/orders/{placed['id']}", {"items": [{"variant_id": c["apples"], "quantity": 0}]}) \
        .error(422)["code"] == "order_would_be_empty"
    assert c.hub.patch(f"/orders/{placed['id']}", {"items": [{"variant_id": c["cheese"], "quantity": 1}]}) \
        .error(422)["field"] == "items.0.variant_id"
    assert len([m for m in mailbox() if "changed" in m["subject"]]) == 1, "refusals email nobody"


def test_a_correction_keeps_the_fees_the_order_was_sold_with(hub):
    c = hub
    placed = bought(c, {"apples": 2})
    c.hub.patch(c.path, {"coordinator_fee_ids": []}).ok()
    changed = c.hub.patch(f"/orders/{placed['id']}", {"items": [{"variant_id": c["apples"], "quantity": 1}]}).ok()
    assert changed["items"][0]["price"] == "4.00" and changed["total"] == "4.00", "the admin fee it was sold with"
    assert bought(c, {"apples": 1})["total"] == "3.50", "a new order pays today's fees"


def test_cancelling_gives_every_line_back_once(hub, mailbox):
    c = hub
    placed = bought(c, {"apples": 3, "cheese": 2})
    cancelled = c.hub.post(f"/orders/{placed['id']}/cancel").ok()
    assert cancelled["state"] == "cancelled" and cancelled["total"] == placed["total"], "kept for the record"
    assert stock(c["apples"], c.cycle) == [20, 20] and stock(c["cheese"], c.cycle) == [20, 20]
    assert c.hub.post(f"/orders/{placed['id']}/cancel").error(409)["code"] == "order_cancelled"
    assert c.hub.patch(f"/orders/{placed['id']}", {"items": [{"variant_id": c["apples"], "quantity": 1}]}) \
        .error(409)["code"] == "order_cancelled"
    assert stock(c["apples"], c.cycle) == [20, 20]
    assert [m["subject"] for m in mailbox() if "cancelled" in m["subject"]] == \
           [f"Order {placed['number']} cancelled: Green Hub"]
    assert [o["state"] for o in c.hub.get(f"{c.path}/orders?state=cancelled").ok()] == ["cancelled"]


def test_paid_and_collected_one_order_or_many_by_their_managers_only(hub):
    c = hub
    at_hub = bought(c, {"apples": 1})
    at_market = bought(c, {"bread": 1}, shop="market")
    assert c.hub.patch(f"/orders/{at_hub['id']}", {"paid": True}).ok()["history"][0]["change"] == "marked paid"
    same = c.hub.patch(f"/orders/{at_hub['id']}", {"items": [{"variant_id": c["apples"], "quantity": 1}]}).ok()
    assert len(same["history"]) == 1 and same["version"] == 1, "the same quantity changes nothing"

    everything = {"order_ids": [at_hub["id"], at_market["id"]], "collected": True, "paid": True}
    assert c.market.post(f"{c.path}/orders/bulk", everything).error(403)["field"] == "order_ids.0"
    assert c.hub.post(f"{c.path}/orders/bulk", {**everything, "order_ids": [at_hub["id"], "NOPE"]}) \
        .error(404)["field"] == "order_ids.1"
    assert not c.hub.get(f"/orders/{at_hub['id']}").ok()["collected"], "all or none"
    marked = c.hub.post(f"{c.path}/orders/bulk", everything).ok()["orders"]
    assert [(o["id"], o["paid"], o["collected"]) for o in marked] == [(at_hub["id"], True, True),
                                                                      (at_market["id"], True, True)]
    assert c.market.get(f"/orders/{at_market['id']}").ok()["history"][0] == {
        "at": "2026-11-23T09:00:00Z", "by": "hub@example.org", "change": "marked paid; marked collected"}
    assert c.hub.post(f"{c.path}/orders/bulk", {"order_ids": [at_hub["id"]]}).error(422)["code"] == "nothing_to_change"
    assert c.market.patch(f"/orders/{at_market['id']}", {"paid": False}).ok()["paid"] is False
    assert [o["id"] for o in c.hub.get(f"{c.path}/orders?paid=true").ok()] == [at_hub["id"]]
    assert [o["id"] for o in c.hub.get(f"{c.path}/orders?paid=false").ok()] == [at_market["id"]]
    assert c.hub.get(f"{c.path}/orders?paid=maybe").error(422)["field"] == "paid"


def test_each_role_lists_the_orders_it_may_see(hub, people, clock):
    c = hub
    at_hub = bought(c, {"apples": 1, "cheese": 1})
    clock.advance(timedelta(minutes=1))
    at_market = bought(c, {"bread": 2}, shop="market", customer={"email": "max@example.org", "name": "Max"})

    assert [o["id"] for o in c.hub.get(f"{c.path}/orders").ok()] == [at_hub["id"], at_market["id"]]
    assert [o["id"] for o in c.hub.get(f"{c.path}/orders?distributor_id={c['market']}").ok()] == [at_market["id"]]
    [mine] = c.market.get(f"{c.path}/orders").ok()
    assert mine == {"id": at_market["id"], "number": at_market["number"], "distributor_id": c["market"],
                    "customer": {"email": "max@example.org", "name": "Max"}, "total": at_market["total"],
                    "state": "placed", "paid": False, "collected": False}
    [farm_sees] = c.farm.get(f"{c.path}/orders").ok()
    assert farm_sees["id"] == at_hub["id"] and "customer" not in farm_sees and "total" not in farm_sees
    assert people("stranger@example.org").get(f"{c.path}/orders").error(403)
    assert c.hub.get("/order-cycles/nope/orders").error(404)


def test_a_supplier_may_only_lower_its_own_lines(hub, people):
    c = hub
    placed = bought(c, {"apples": 3, "bread": 2})
    path = f"/orders/{placed['id']}"

    seen = c.farm.get(path).ok()
    assert [i["variant_id"] for i in seen["items"]] == [c["apples"]] and "customer" not in seen and "total" not in seen
    assert c.farm.patch(path, {"items": [{"variant_id": c["apples"], "quantity": 4}]}).error(403)["field"] == \
        "items.0.variant_id"
    assert c.farm.patch(path, {"items": [{"variant_id": c["bread"], "quantity": 1}]}).error(403)
    assert c.farm.patch(path, {"paid": True}).error(403)["field"] == "paid"
    assert c.farm.post(f"{path}/cancel").error(403)
    assert c.dairy.get(path).error(403), "a supplier of the cycle with nothing in this order"

    lowered = c.farm.patch(path, {"items": [{"variant_id": c["apples"], "quantity": 1}]}).ok()
    assert [i["quantity"] for i in lowered["items"]] == [1]
    assert stock(c["apples"], c.cycle) == [19, 19]
    assert c.hub.get(path).ok()["history"][0]["by"] == "farm@example.org"

    c.hub.patch(f"/enterprises/{c['hub']}", {"customer_names_to_suppliers": True}).ok()
    assert c.farm.get(path).ok()["customer"] == {"name": "Zoé Martin"}, "names where the coordinator allows, no email"


def test_a_manager_takes_an_order_by_phone_even_after_closing(hub, clock):
    c = hub
    clock.advance(timedelta(days=7))
    assert buy(c, {"apples": 1})[0] == 409, "the shop is closed"
    phone = {"distributor_id": c["hub"], **order_body(c, {"apples": 2})}

    taken = c.hub.post(f"{c.path}/orders", phone).ok(201)
    assert taken["state"] == "placed" and taken["total"] == "8.00"
    assert taken["history"][0]["by"] == "hub@example.org"
    assert stock(c["apples"], c.cycle) == [18, 18]
    assert c.market.post(f"{c.path}/orders", phone).error(403)["field"] == "distributor_id"
    assert c.farm.post(f"{c.path}/orders", phone).error(403)
    market_phone = {"distributor_id": c["market"], **order_body(c, {"bread": 1}, shop="market")}
    assert c.market.post(f"{c.path}/orders", market_phone).ok(201)["distributor_id"] == c["market"]
    assert c.hub.post(f"{c.path}/orders", {**phone, "shipping_method_id": c["delivery"]}).error(422)["field"] == \
        "delivery_address"
    assert c.hub.post(f"{c.path}/orders", {**phone, "extra": 1}).error(422)["field"] == "extra"


def test_a_phone_order_sent_twice_with_its_key_is_taken_once(hub):
    """The console resends a form whose answer it lost: the same key takes the order once."""
    c = hub
    phone = {"distributor_id": c["hub"], **order_body(c, {"apples": 2})}

    def send(body: dict, key: str) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {c.hub.token}", "Content-Type": "application/json", "Idempotency-Key": key}
        answer = c.hub.client.http.post(f"{c.path}/orders", headers=headers, body=json.dumps(body))
        return answer.status_code, json.loads(answer.body)

    (first, taken), (again, same) = send(phone, "phone-1"), send(phone, "phone-1")
    assert (first, again) == (201, 201) and same["id"] == taken["id"] and same["number"] == taken["number"]
    assert stock(c["apples"], c.cycle) == [18, 18], "taken once"
    status, refused = send({**phone, **order_body(c, {"apples": 3})}, "phone-1")
    assert (status, refused["error"]["code"]) == (422, "idempotency_key_reused")
    assert send(phone, "phone-2")[1]["id"] != taken["id"], "a new key is a new order"


def test_checkouts_racing_corrections_sell_nothing_twice_and_lose_nothing(hub, monkeypatch):
    """Eight shoppers want 2 apples each while three managers correct the same order (5 apples) at
    once: 15 apples are left, so not every shopper can have them, and of the corrections, written
    over the same version of the order, exactly one applies. Every thread reads before any writes
    (a barrier holds each just before its transaction)."""
    c = hub
    first = bought(c, {"apples": 5})
    shoppers, corrections = 8, [1, 3, 9]
    barrier = threading.Barrier(shoppers + len(corrections), timeout=60)
    waited = threading.local()

    def together(write):
        def held(self, *args, **kwargs):
            if not getattr(waited, "done", False):
                waited.done = True
                barrier.wait()
            return write(self, *args, **kwargs)
        return held

    monkeypatch.setattr(OrderRepository, "place", together(OrderRepository.place))
    monkeypatch.setattr(OrderRepository, "change", together(OrderRepository.change))
    shop_app, admin_app = load_function("shop").app, load_function("admin").app

    def shopper(n: int):
        with Client(shop_app) as client:
            return buy(c, {"apples": 2}, client=client, customer={"email": f"s{n}@example.org", "name": f"S{n}"})

    def correction(quantity: int):
        with Client(admin_app) as client:
            response = client.http.request("PATCH", f"/orders/{first['id']}", headers={
                "Authorization": f"Bearer {c.hub.token}", "Content-Type": "application/json"},
                body=json.dumps({"items": [{"variant_id": c["apples"], "quantity": quantity}]}))
            return response.status_code, json.loads(response.body)

    with ThreadPoolExecutor(shoppers + len(corrections)) as pool:
        sales = [pool.submit(shopper, n) for n in range(shoppers)]
        changes = [pool.submit(correction, q) for q in corrections]
        sold = [f.result() for f in sales]
        corrected = [f.result() for f in changes]

    assert sorted(status for status, _ in corrected) == [200, 409, 409], corrected
    assert {body["error"]["code"] for status, body in corrected if status == 409} <= {"order_changed", "insufficient_stock"}
    assert {status for status, _ in sold} <= {201, 409}
    placed = [o for o in OrderRepository().orders_of_cycle(c.cycle) if o.state == "placed"]
    taken = sum(line.quantity for o in placed for line in o.items)
    assert taken <= 20, "nothing oversold"
    assert stock(c["apples"], c.cycle) == [20 - taken, 20 - taken], "nothing lost"
    assert len(placed) == 1 + sum(status == 201 for status, _ in sold)


def test_a_change_email_that_ses_refused_is_sent_by_the_sweep_once(hub, clock, mailbox, monkeypatch, capsys):
    """The customer's email is an outbox item of the correction's transaction: an SES failure
    leaves it pending, counted for the failed-emails alarm, and the sweep sends it, once."""
    c = hub
    placed = bought(c, {"apples": 3})
    real_send = mail.send_email

    def refused(message):
        if "changed" in message.subject:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")
        return real_send(message)

    with monkeypatch.context() as patch:
        patch.setattr(mail, "send_email", refused)
        c.hub.patch(f"/orders/{placed['id']}", {"items": [{"variant_id": c["apples"], "quantity": 2}]}).ok()
    assert not [m for m in mailbox() if "changed" in m["subject"]], "the correction stands all the same"
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert [(r["service"], r["EmailFailures"]) for r in records if "EmailFailures" in r] == [("hubcycle", [1.0])]

    clock.advance(timedelta(minutes=15))
    assert scheduling.sweep()["OrderChangeEmailsSent"] == 1
    clock.advance(timedelta(minutes=15))
    assert scheduling.sweep()["OrderChangeEmailsSent"] == 0
    [told] = [m for m in mailbox() if "changed" in m["subject"]]
    assert told["to"] == ["zoe@example.org"] and "Fruit (Apples): 3 → 2" in told["text"]
