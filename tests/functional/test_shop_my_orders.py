"""The shopper's own order through the private link of the confirmation (api-v1 1.1 `/my-orders`),
and what the shop shows of products and producers (unit price, stock, description): through
Chalice's test client on moto."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

from shop_fixtures import (CARROTS_1KG, CARROTS_5KG, CHEESE, DELIVERY, EGGS, FARM, HONEY, HUB, json_of, load_hub,
                           order_body, post_order, refused_by_shop_policy, stock)

from hubcycle.repository import keys
from hubcycle.repository.base import Repository
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.settings import settings


def _change_emails(cycle_id: str) -> list[dict]:
    return Repository().partition(keys.order_cycle(cycle_id), "OUTBOX#ORDER_CHANGE#")


def _secret(order: dict) -> str:
    return order["manage_url"].split("#/my-orders/", 1)[1]


def test_the_shopper_changes_then_cancels_their_order_by_its_link_until_the_cycle_closes(
        shop_app, clock, mailbox, caplog, capsys, aws_requests):
    caplog.set_level(logging.DEBUG)
    ids = load_hub(clock.now())
    aws_requests.clear()
    body = order_body({CARROTS_1KG: 2, CHEESE: 1}, shipping=DELIVERY) | {"language": "es"}
    placed = json_of(post_order(shop_app, ids.cycle, body))
    secret = _secret(placed)
    assert len(secret.rsplit(".", 1)[1]) >= 22  # 128 random bits, base64url
    [confirmation] = mailbox()
    assert confirmation["subject"].startswith("Pedido HC-") and placed["manage_url"] in confirmation["text"]

    seen = json_of(shop_app.http.get(f"/my-orders/{secret}"))
    assert seen["number"] == placed["number"] and seen["changeable"] is True and seen["state"] == "placed"
    assert seen["delivery_address"]["city"] == "Lyon"

    patch = shop_app.http.patch(f"/my-orders/{secret}", headers={"Content-Type": "application/json"},
                                body=json.dumps({"items": [{"variant_id": CARROTS_1KG, "quantity": 5}]}))
    changed = json_of(patch)
    assert patch.status_code == 200, changed
    assert [(line["variant_id"], line["quantity"]) for line in changed["items"]] == [(CARROTS_1KG, 5), (CHEESE, 1)]
    # 5 × 3.14 + 6.50 + order 2.00 + delivery 4.50, repriced as at checkout
    assert changed["total"] == "28.70"
    assert stock(CARROTS_1KG, ids.cycle, ids.later_cycle) == [5, 5, 5]
    too_many = shop_app.http.patch(f"/my-orders/{secret}", headers={"Content-Type": "application/json"},
                                   body=json.dumps({"items": [{"variant_id": CHEESE, "quantity": 9}]}))
    assert too_many.status_code == 409 and json_of(too_many)["error"]["code"] == "insufficient_stock"
    change_mail = mailbox()[-1]
    assert change_mail["subject"].startswith(f"Pedido {placed['number']} modificado a petición tuya")

    cancelled = json_of(shop_app.http.post(f"/my-orders/{secret}/cancel"))
    assert cancelled["state"] == "cancelled" and cancelled["changeable"] is False
    assert stock(CARROTS_1KG, ids.cycle, ids.later_cycle) == [10, 10, 10] and stock(CHEESE, ids.cycle) == [3, 3]
    assert "cancelado" in mailbox()[-1]["subject"]
    assert not refused_by_shop_policy(aws_requests), "the shop function may write only in transactions"
    assert {n["status"] for n in _change_emails(ids.cycle)} == {"sent"}, "sent once: nothing left for the sweep"

    second = json_of(post_order(shop_app, ids.cycle, order_body({EGGS: 1}), key="attempt-2"))
    clock.advance(timedelta(days=3))
    refused = shop_app.http.post(f"/my-orders/{_secret(second)}/cancel")
    assert refused.status_code == 409 and json_of(refused)["error"]["code"] == "order_cycle_closed"
    after = json_of(shop_app.http.get(f"/my-orders/{_secret(second)}"))
    assert after["state"] == "placed" and after["changeable"] is False

    logged = caplog.text + "".join(capsys.readouterr())
    assert secret not in logged and secret.rsplit(".", 1)[1] not in logged


def test_a_link_not_made_by_checkout_finds_nothing(shop_app, clock):
    ids = load_hub(clock.now())
    placed = json_of(post_order(shop_app, ids.cycle, order_body({EGGS: 1})))
    cycle_id, order_id, random_part = _secret(placed).split(".")
    other_last = "B" if random_part.endswith("A") else "A"
    for wrong in (f"{cycle_id}.{order_id}.{random_part[:-1]}{other_last}", f"{cycle_id}.{order_id}", "nothing"):
        answer = shop_app.http.get(f"/my-orders/{wrong}")
        assert answer.status_code == 404 and json_of(answer)["error"]["code"] == "order_not_found"


def test_products_carry_what_a_shopper_compares_and_the_producer_has_a_page(shop_app, clock, aws_requests):
    ids = load_hub(clock.now(), stock={CARROTS_5KG: 2})
    aws_requests.clear()
    products = {p["variant_id"]: p for p in json_of(shop_app.http.get(f"/shops/{HUB}/cycles/{ids.cycle}/products"))}
    assert dict(aws_requests) == {"dynamodb.Query": 1}
    assert products[CARROTS_1KG]["unit_price"] == {"amount": "3.14", "per": "kg"}
    assert products[CARROTS_5KG]["unit_price"] == {"amount": "2.30", "per": "kg"}
    assert products[CHEESE]["unit_price"] == {"amount": "26.00", "per": "kg"}
    assert products[EGGS]["unit_price"] == {"amount": "0.62", "per": "item"}
    assert products[CARROTS_5KG]["product_id"] == products[CARROTS_1KG]["product_id"] == "carrots"
    assert (products[CARROTS_5KG]["stock"], products[CARROTS_5KG]["low_stock"]) == (2, True)
    assert (products[EGGS]["stock"], products[EGGS]["low_stock"]) == (None, False)

    farm = shop_app.http.get(f"/producers/{FARM}")
    assert farm.status_code == 200 and json_of(farm)["name"] == "Blue Field Farm"
    assert json_of(farm)["logo_copies"] == []
    assert shop_app.http.get(f"/producers/{HUB}").status_code == 404


def test_a_photo_uploaded_with_copies_lists_them_and_an_older_one_has_none(shop_app, clock, aws_requests):
    """`image_copies`/`logo_copies` come from the image's address alone (hubcycle.images): still
    one Query for the products page, one GetItem for a producer."""
    ids = load_hub(clock.now())
    uploads = settings().uploads_url
    catalogue, enterprises = CatalogueRepository(), EnterpriseRepository()
    for product_id, image in (("carrots", f"{uploads}/uploads/{FARM}/0a1b.320w-webp.640w-webp.jpg"),
                              ("honey", f"{uploads}/uploads/{FARM}/0a1c.png")):
        product, offered_in = catalogue.get_product(product_id)
        product.image_url = image
        catalogue.save_product(product, offered_in)
    farm = enterprises.get(FARM)
    farm.logo_url = f"{uploads}/uploads/{FARM}/0a1d.320w-jpg.jpg"
    enterprises.save(farm)
    aws_requests.clear()

    products = {p["variant_id"]: p for p in json_of(shop_app.http.get(f"/shops/{HUB}/cycles/{ids.cycle}/products"))}
    assert dict(aws_requests) == {"dynamodb.Query": 1}
    assert products[CARROTS_5KG]["image_copies"] == [{"width": 320, "url": f"{uploads}/uploads/{FARM}/0a1b.320w.webp"},
                                                     {"width": 640, "url": f"{uploads}/uploads/{FARM}/0a1b.640w.webp"}]
    assert products[HONEY]["image_url"].endswith("0a1c.png") and products[HONEY]["image_copies"] == []
    assert products[CHEESE]["image_url"] == "" and products[CHEESE]["image_copies"] == []
    assert json_of(shop_app.http.get(f"/producers/{FARM}"))["logo_copies"] == [
        {"width": 320, "url": f"{uploads}/uploads/{FARM}/0a1d.320w.jpg"}]
    assert json_of(shop_app.http.get(f"/shops/{HUB}"))["logo_copies"] == []
