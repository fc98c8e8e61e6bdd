"""Issue 15 points 2, 3, 5 and 7, each break reproduced with the issue's own inputs: line breaks
in single-line fields, values at and beyond their bounds, values of the wrong type accepted,
unknown fields, an email that cannot be sent holding back the others, and a distributor still
selling a producer's products after the producer withdrew its grant."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from admin_fixtures import armed, cast, people, place_order  # noqa: F401
from shop_fixtures import EGGS, HUB, load_hub, order_body, post_order

from hubcycle.adapters import mail
from hubcycle.repository import keys
from hubcycle.repository.base import Repository
from hubcycle.services.notifications import notifications_of

BREAKS = ["\r", "\n", "\u2028", "\u0085"]
ANN = "ann@example.org"


def order(shop_app, cycle_id: str, shop_id: str, variant_id: str, quantity: int = 1, **extra):
    body = {"customer": {"email": "zoe@example.org", "name": "Zoé"}, "items": [{"variant_id": variant_id, "quantity": quantity}],
            "shipping_method_id": "x", "payment_method_id": "y", **extra}
    response = shop_app.http.post(f"/shops/{shop_id}/cycles/{cycle_id}/orders", body=json.dumps(body),
                                  headers={"Content-Type": "application/json"})
    return response.status_code, json.loads(response.body)


def methods_of(person, enterprise_id: str) -> tuple[str, str]:
    shipping = person.get(f"/enterprises/{enterprise_id}/shipping-methods").ok()[0]["id"]
    payment = person.get(f"/enterprises/{enterprise_id}/payment-methods").ok()[0]["id"]
    return shipping, payment


# --- Point 2: single-line fields refuse line breaks and control characters


@pytest.mark.parametrize("char", BREAKS)
def test_single_line_fields_refuse_line_breaks_naming_the_field(cast, char):
    hub, farm, path = cast.hub, cast.farm, cast.path
    assert hub.post("/enterprises", {"name": f"Green{char}Hub", "kind": "hub", "email": ANN}).error(422)["field"] == "name"
    assert hub.post("/enterprises", {"name": "Hub", "kind": "hub", "email": f"a{char}b@example.org"}).error(422)["field"] == "email"
    assert hub.patch(f"/enterprises/{cast['hub']}", {"name": f"A{char}B"}).error(422)["field"] == "name"
    assert hub.post(f"/enterprises/{cast['hub']}/shipping-methods", {"name": f"Pick{char}up"}).error(422)["field"] == "name"
    assert hub.post(f"/enterprises/{cast['hub']}/payment-methods", {"name": f"Ca{char}sh"}).error(422)["field"] == "name"
    fee = {"name": f"Fee{char}x", "fee_type": "admin", "calculator": {"type": "flat_rate", "amount": "1.00"}}
    assert hub.post(f"/enterprises/{cast['hub']}/fees", fee).error(422)["field"] == "name"
    product = {"name": "Fruit", "unit": "kg", "variants": [{"name": f"Big{char}one", "unit_value": "1", "price": "1.00", "on_hand": 1}]}
    assert farm.post(f"/enterprises/{cast['farm']}/products", product).error(422)["field"] == "variants.0.name"
    assert farm.post(f"/enterprises/{cast['farm']}/products", {**product, "name": f"Fr{char}uit"}).error(422)["field"] == "name"
    assert hub.patch(path, {"name": f"Week{char}48"}).error(422)["field"] == "name"
    assert hub.put(f"{path}/outgoing/{cast['hub']}", {"ready_for": f"Sat{char}9-12"}).error(422)["field"] == "ready_for"


def test_instructions_keep_line_breaks_but_not_other_control_characters(cast):
    outgoing = f"{cast.path}/outgoing/{cast['hub']}"
    assert cast.hub.put(outgoing, {"pickup_instructions": "Barn door.\r\nRing twice."}).ok()
    assert cast.hub.put(outgoing, {"pickup_instructions": "Barn\x00door"}).error(422)["field"] == "pickup_instructions"


def test_a_checkout_refuses_a_customer_name_with_a_line_break(cast, shop_app):
    status, answer = order(shop_app, cast.cycle, cast["hub"], cast["apples"],
                           customer={"email": "zoe@example.org", "name": "Zoé\u2028Martin"})
    assert (status, answer["error"]["field"]) == (422, "customer.name")


def test_headers_cannot_be_broken_by_any_value():
    """A name stored before the rule (or any other text) still makes a well-formed email."""
    for char in [*BREAKS, "\x00", "\u2029"]:
        message = mail.OutgoingEmail(to=["zoe@example.org"], subject=f"Order{char}Bcc: x@evil.org", text="t", html="<p>t</p>",
                                     sender_name=f"Green{char}Hub")
        head = mail.mime(message, "no-reply@example.org").as_bytes().split(b"\n\n")[0].decode()
        assert "\nBcc" not in head and "\rBcc" not in head
        assert "Subject: Order Bcc: x@evil.org" in head and "Green Hub <no-reply@example.org>" in head


def test_one_email_that_cannot_be_sent_is_failed_with_its_reason_and_the_others_go(cast, clock, mailbox, monkeypatch):
    """The break in the issue: the standard library raised on one producer's email, "notify
    producers" answered 500 and every notification stayed pending."""
    ids = cast.ids
    place_order(cast.cycle, ids["hub"], "1", ("zoe@example.org", "Zoé"),
                [(ids["apples"], ids["farm"], 2, "2.50"), (ids["bread"], ids["bakery"], 1, "2.50")], clock.now())
    real_send = mail.send_email

    def refuse_the_bakerys(message):
        if message.to == ["bakery@example.org"]:
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        return real_send(message)

    monkeypatch.setattr(mail, "send_email", refuse_the_bakerys)
    assert cast.hub.post(f"{cast.path}/notify-producers").ok() == {"emails_sent": 1}
    assert [m["to"] for m in mailbox()] == [["farm@example.org"]]
    outcome = {n["supplier_id"]: (n["status"], n["reason"]) for n in notifications_of(cast.cycle)}
    assert outcome[ids["farm"]] == ("sent", None)
    assert outcome[ids["bakery"]][0] == "failed" and "linefeed" in outcome[ids["bakery"]][1]
    shown = cast.hub.get(cast.path).ok()["notifications"]
    assert {n["status"] for n in shown} == {"sent", "failed"}


# --- Point 3: bad input answered 5xx


@pytest.mark.parametrize("amount", ["1e28", "1E+30", "99999999999999999999999999999"])
def test_money_far_beyond_its_bound_is_422(cast, amount):
    hub, farm = cast.hub, cast.farm
    product = {"name": "Fruit", "unit": "kg", "variants": [{"name": "Big", "unit_value": "1", "price": amount, "on_hand": 1}]}
    assert farm.post(f"/enterprises/{cast['farm']}/products", product).error(422)["field"] == "variants.0.price"
    assert farm.patch(f"/variants/{cast['apples']}", {"price": amount}).error(422)["field"] == "price"
    assert hub.post(f"/enterprises/{cast['hub']}/shipping-methods", {"name": "Van", "fee": amount}).error(422)["field"] == "fee"
    assert hub.post(f"/enterprises/{cast['hub']}/payment-methods", {"name": "Card", "fee": amount}).error(422)["field"] == "fee"
    fee = {"name": "Levy", "fee_type": "admin", "calculator": {"type": "flat_rate", "amount": amount}}
    assert hub.post(f"/enterprises/{cast['hub']}/fees", fee).error(422)["field"].endswith("amount")


@pytest.mark.parametrize("zone", ["America", "Etc", "Europe"])
def test_a_folder_of_timezones_is_not_a_timezone(cast, zone):
    body = {"name": "Hub", "kind": "hub", "email": ANN, "timezone": zone}
    assert cast.hub.post("/enterprises", body).error(422)["field"] == "timezone"
    assert cast.hub.patch(f"/enterprises/{cast['hub']}", {"timezone": zone}).error(422)["field"] == "timezone"


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59+00:00"])
def test_dates_at_the_ends_of_the_calendar_are_422(cast, moment):
    assert cast.hub.patch(cast.path, {"closes_at": moment}).error(422)["field"] == "closes_at"
    body = {"coordinator_id": cast["hub"], "name": "Far", "opens_at": moment}
    assert cast.hub.post("/order-cycles", body).error(422)["field"] == "opens_at"


# --- Point 5: accepted though invalid


def test_a_unix_time_is_not_a_date(cast):
    assert cast.hub.patch(cast.path, {"opens_at": 1700000000}).error(422)["field"] == "opens_at"


@pytest.mark.parametrize("max_items", ["5", True, 1e20, -1, 2.5])
def test_max_items_is_a_whole_number(cast, max_items):
    calculator = {"type": "flexi_rate", "first_item": "1.00", "additional_item": "0.50", "max_items": max_items}
    error = cast.hub.post(f"/enterprises/{cast['hub']}/fees", {"name": "Flexi", "fee_type": "admin", "calculator": calculator}).error(422)
    assert error["field"].endswith("max_items")


def test_minus_zero_is_zero_and_a_misspelt_calculator_field_is_refused(cast):
    assert cast.farm.patch(f"/variants/{cast['apples']}", {"price": "-0"}).ok()["price"] == "0.00"
    calculator = {"type": "flat_rate", "amount": "1.00", "amout": "2.00"}
    error = cast.hub.post(f"/enterprises/{cast['hub']}/fees", {"name": "Typo", "fee_type": "admin", "calculator": calculator}).error(422)
    assert error["field"] == "calculator" and "amout" in error["message"]


def test_checkout_names_an_unknown_field_and_a_too_large_order_names_its_items(cast, shop_app):
    shipping, payment = methods_of(cast.hub, cast["hub"])
    methods = {"shipping_method_id": shipping, "payment_method_id": payment}
    status, answer = order(shop_app, cast.cycle, cast["hub"], cast["apples"], coupon="FREE", **methods)
    assert (status, answer["error"]["field"]) == (422, "coupon")
    cast.farm.patch(f"/variants/{cast['apples']}", {"price": "999999.99", "on_hand": 9999}).ok()
    status, answer = order(shop_app, cast.cycle, cast["hub"], cast["apples"], 9999, **methods)
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (422, "order_too_large", "items")


# --- Point 7: withdrawing add_to_order_cycle from a distributor


def test_a_producer_withdrawing_its_grant_takes_its_products_out_of_that_distributors_shop(cast, shop_app, clock):
    ids = cast.ids
    closed = cast.hub.post(f"{cast.path}/duplicate").ok(201)["id"]
    cast.hub.patch(f"/order-cycles/{closed}", {"opens_at": (clock.now() - timedelta(days=9)).isoformat(),
                                               "closes_at": (clock.now() - timedelta(days=2)).isoformat()}).ok()
    shipping, payment = methods_of(cast.market, ids["market"])
    assert order(shop_app, cast.cycle, ids["market"], ids["apples"], shipping_method_id=shipping,
                 payment_method_id=payment)[0] == 201

    cast.farm.put(f"/enterprises/{ids['farm']}/permissions/{ids['market']}", {"abilities": []}).ok()

    market_sells = {e["distributor_id"]: e["variant_ids"] for e in cast.hub.get(cast.path).ok()["outgoing"]}
    assert market_sells[ids["market"]] == [ids["bread"]], "the bakery still grants the market"
    assert ids["apples"] in market_sells[ids["hub"]], "the farm still grants the hub"
    status, answer = order(shop_app, cast.cycle, ids["market"], ids["apples"], shipping_method_id=shipping,
                           payment_method_id=payment)
    assert (status, answer["error"]["code"]) == (422, "variant_not_sold_here")
    closed_sells = {e["distributor_id"]: e["variant_ids"] for e in cast.hub.get(f"/order-cycles/{closed}").ok()["outgoing"]}
    assert ids["apples"] in closed_sells[ids["market"]], "a closed cycle keeps its history"
    assert len(cast.market.get(f"{cast.path}/reports/orders").ok()) == 1, "the order placed stays"


def test_a_hub_named_with_a_line_separator_before_the_rule_still_confirms_orders(shop_app, clock, mailbox):
    """Issue 15: such a hub got orders but sent no confirmation; stored names stay readable."""
    ids = load_hub(clock.now())
    Repository().update(keys.enterprise(HUB), keys.ENTERPRISE_SK, "SET #name = :name",
                        {":name": "Croix-Rousse\u2028Food Hub"}, names={"#name": "name"})
    assert post_order(shop_app, ids.cycle, order_body({EGGS: 1})).status_code == 201
    (confirmation,) = mailbox()
    assert confirmation["from"].startswith("Croix-Rousse Food Hub <") and "\u2028" not in confirmation["subject"]


@pytest.mark.parametrize("unit_value", ["1e-200", "0.0000001", "1e28"])
def test_a_decimal_quantity_beyond_what_is_stored_is_422(cast, unit_value):
    product = {"name": "Fruit", "unit": "kg", "variants": [{"name": "Big", "unit_value": unit_value, "price": "1.00", "on_hand": 1}]}
    assert cast.farm.post(f"/enterprises/{cast['farm']}/products", product).error(422)["field"] == "variants.0.unit_value"
