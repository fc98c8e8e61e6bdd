"""The shop API as the storefront reaches it: over HTTP from another origin, served by the local
system (`chalice local`'s server, which answers requests in threads)."""
from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from shop_fixtures import CARROTS_1KG, CARROTS_5KG, EGGS, load_hub, order_body

from hubcycle.local.system import LocalSystem, Ports


@pytest.fixture
def local_system(aws, embedded_aws):
    with LocalSystem(Ports.free(), embedded_aws=embedded_aws, run_scheduler=False) as system:
        yield system


def call(url: str, method: str = "GET", body: dict | None = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, refused.read()


def test_the_preflight_for_an_order_allows_the_storefront_and_the_idempotency_key(local_system):
    status, headers, _ = call(f"{local_system.shop_url}/shops/hub/cycles/week-48/orders", "OPTIONS", headers={
        "Origin": local_system.storefront_url, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,idempotency-key"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == local_system.storefront_url
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert {"content-type", "idempotency-key"} <= {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}


def test_concurrent_requests_each_get_their_own_answer(local_system):
    """`chalice local` serves in threads: each answer must still be the one for its own request."""
    ids = load_hub(datetime.now(timezone.utc))
    baskets = [{CARROTS_1KG: 1 + n % 3, EGGS: 1 + n} if n % 2 else {CARROTS_5KG: 1, EGGS: 1 + n} for n in range(8)]

    def order(n):
        return call(f"{local_system.shop_url}/shops/hub/cycles/{ids.cycle}/orders", "POST",
                    order_body(baskets[n], email=f"s{n}@example.org"),
                    {"Content-Type": "application/json", "Idempotency-Key": f"k{n}",
                     "Origin": local_system.storefront_url})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(order, range(8)))

    for n, (status, headers, body) in enumerate(answers):
        assert status == 201 and headers["Access-Control-Allow-Origin"] == local_system.storefront_url
        assert {i["variant_id"]: i["quantity"] for i in json.loads(body)["items"]} == baskets[n]
