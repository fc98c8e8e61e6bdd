"""Checkout is bounded per source address and per customer email (services/rate_limits.py), counted
in the table: past the bound, 429 `too_many_orders` with Retry-After, and nothing is written."""
from __future__ import annotations

from datetime import timedelta

import pytest
from shop_fixtures import EGGS, json_of, load_hub, order_body, post_order

from hubcycle.errors import TooManyRequests
from hubcycle.repository import keys
from hubcycle.repository.base import Repository
from hubcycle.repository.orders import OrderRepository
from hubcycle.repository.table import TIME_TO_LIVE_ATTRIBUTE
from hubcycle.services import rate_limits

LIMIT = 3


@pytest.fixture
def limited(monkeypatch):
    monkeypatch.setenv("HUBCYCLE_CHECKOUT_ORDERS_PER_HOUR", str(LIMIT))


def test_past_the_limit_an_address_gets_429_with_retry_after_until_the_hour_ends(shop_app, clock, limited,
                                                                                 aws_requests):
    clock.freeze(clock.now().replace(minute=45, second=30))
    ids = load_hub(clock.now())
    for n in range(LIMIT):  # the test client's requests all come from 127.0.0.1
        response = post_order(shop_app, ids.cycle, order_body({EGGS: 1}, email=f"shopper{n}@example.org"), key=f"k{n}")
        assert response.status_code == 201, response.body
    aws_requests.clear()

    refused = post_order(shop_app, ids.cycle, order_body({EGGS: 1}, email="another@example.org"), key="k-late")

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(14 * 60 + 30)  # until 10:00, the next window
    assert json_of(refused) == {"error": {
        "code": "too_many_orders", "field": None,
        "message": f"at most {LIMIT} orders an hour from one address: try again in 15 minutes"}}
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]
    assert dict(aws_requests) == {"dynamodb.TransactWriteItems": 1}  # the counters, refused: nothing else
    assert len(OrderRepository().orders_of_cycle(ids.cycle)) == LIMIT

    clock.advance(timedelta(minutes=15))
    again = post_order(shop_app, ids.cycle, order_body({EGGS: 1}, email="another@example.org"), key="k-next-hour")
    assert again.status_code == 201, again.body


def test_one_customer_email_is_bounded_whatever_the_address(aws, clock, limited):
    now = clock.now()
    for n in range(LIMIT):
        rate_limits.admit_order(f"192.0.2.{n}", "Zoe@Example.org", now)
    with pytest.raises(TooManyRequests) as refused:
        rate_limits.admit_order("198.51.100.7", " zoe@example.org", now)
    assert refused.value.field == "customer.email" and refused.value.status == 429
    assert 0 < refused.value.retry_after <= 3600
    rate_limits.admit_order("198.51.100.7", "someone.else@example.org", now)  # that address was not counted

    window = keys.rate_window(now.replace(minute=0, second=0, microsecond=0))
    counter = Repository().get(keys.rate_limit("checkout#email#zoe@example.org"), window)
    assert counter["hits"] == LIMIT
    assert counter[TIME_TO_LIVE_ATTRIBUTE] == int((now.replace(minute=0, second=0) + timedelta(hours=2)).timestamp())
    assert Repository().get(keys.rate_limit("checkout#address#198.51.100.7"), window)["hits"] == 1


def test_no_limit_unless_one_is_set(aws, clock):
    for _ in range(20):
        rate_limits.admit_order("192.0.2.1", "zoe@example.org", clock.now())
    assert Repository().get(keys.rate_limit("checkout#address#192.0.2.1"),
                            keys.rate_window(clock.now().replace(minute=0, second=0))) is None
