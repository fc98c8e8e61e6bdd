"""Listing and reading order cycles cost a fixed number of DynamoDB requests, whatever the size:
no request per cycle, per exchange or per variant (issue 3). The counts are recorded here:

- GET /order-cycles: 1 Query for the caller's enterprises, 1 Query of participations per
  enterprise the caller manages, 1 BatchGetItem per 100 cycles listed.
- GET /order-cycles/{id}: 1 Query for the caller's enterprises, 1 GetItem for the cycle, and
  1 Query of grants per enterprise of the caller taking part.
- the reports: the caller's enterprises, the cycle, the orders (one Query each), plus the
  coordinator (one GetItem) when a supplier's view depends on its preference."""
from datetime import timedelta

import pytest

from admin_fixtures import ADD, armed, build_cast, people  # noqa: F401


@pytest.fixture
def world(people, clock):
    """The cast, signed in before requests are counted (signing in resets the AWS clients)."""
    cast = build_cast(people, clock.now())
    cast.grower = people("grower@example.org")
    return cast


def cost(aws_requests, call) -> dict:
    aws_requests.clear()
    call().ok()
    return {operation: n for operation, n in aws_requests.items() if operation.startswith("dynamodb.")}


def grow_the_cycle(cast, suppliers: int = 6, variants: int = 6) -> None:
    """More suppliers, each with more products, all sold in both shops."""
    sold = []
    for n in range(suppliers):
        farm = cast.grower.enterprise(f"Farm {n}", "profile", is_producer=True)
        cast.grower.grant(farm, cast["hub"], ADD)
        cast.grower.grant(farm, cast["market"], ADD)
        ids = cast.grower.product(farm, f"Veg {n}", *[f"Variant {v}" for v in range(variants)])
        cast.hub.put(f"{cast.path}/incoming/{farm}", {"variant_ids": ids}).ok()
        sold += ids
    for distributor in (cast["hub"], cast["market"]):
        current = next(e for e in cast.hub.get(cast.path).ok()["outgoing"] if e["distributor_id"] == distributor)
        cast.hub.put(f"{cast.path}/outgoing/{distributor}", {"variant_ids": current["variant_ids"] + sold}).ok()


def add_cycles(cast, clock, count: int) -> None:
    for n in range(count):
        opens = clock.now() + timedelta(days=n)
        cast.hub.post("/order-cycles", {"coordinator_id": cast["hub"], "name": f"Cycle {n}", "opens_at": opens.isoformat(),
                                         "closes_at": (opens + timedelta(days=3)).isoformat()}).ok(201)


def test_reading_a_cycle_costs_the_same_whatever_its_size(world, aws_requests):
    path = world.path
    small = {who: cost(aws_requests, lambda p=getattr(world, who): p.get(path)) for who in ("hub", "farm", "market")}
    grow_the_cycle(world)
    assert len(world.hub.get(path).ok()["incoming"]) == 9
    large = {who: cost(aws_requests, lambda p=getattr(world, who): p.get(path)) for who in ("hub", "farm", "market")}
    assert large == small
    assert small["hub"] == {"dynamodb.Query": 3, "dynamodb.GetItem": 1}  # the third: notifications sent
    assert small["farm"] == {"dynamodb.Query": 3, "dynamodb.GetItem": 1}
    assert small["market"] == {"dynamodb.Query": 2, "dynamodb.GetItem": 1}


def test_listing_cycles_costs_the_same_whatever_their_number(world, aws_requests, clock):
    before = cost(aws_requests, lambda: world.hub.get("/order-cycles"))
    supplier_before = cost(aws_requests, lambda: world.farm.get("/order-cycles"))
    add_cycles(world, clock, 30)
    grow_the_cycle(world, suppliers=2, variants=3)
    assert len(world.hub.get("/order-cycles").ok()) == 31
    assert cost(aws_requests, lambda: world.hub.get("/order-cycles")) == before
    assert cost(aws_requests, lambda: world.farm.get("/order-cycles")) == supplier_before
    assert before == {"dynamodb.Query": 2, "dynamodb.BatchGetItem": 1}


def test_a_manager_of_several_enterprises_pays_one_query_each(world, aws_requests):
    world.hub.post(f"/enterprises/{world['hub']}/managers", {"email": world.market.email}).ok(201)
    assert cost(aws_requests, lambda: world.market.get("/order-cycles")) == {"dynamodb.Query": 3, "dynamodb.BatchGetItem": 1}


def test_reports_cost_the_same_whatever_the_cycle(world, aws_requests):
    small = cost(aws_requests, lambda: world.farm.get(f"{world.path}/reports/orders"))
    grow_the_cycle(world, suppliers=3, variants=3)
    assert cost(aws_requests, lambda: world.farm.get(f"{world.path}/reports/orders")) == small
    assert cost(aws_requests, lambda: world.hub.get(f"{world.path}/reports/supplier-totals")) == {
        "dynamodb.Query": 2, "dynamodb.GetItem": 1}
