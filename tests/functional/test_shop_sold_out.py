"""A shop that hides its sold-out products (issue 14: "out-of-stock products shown as such or
hidden as the hub prefers"): the hub sets `hide_sold_out` in the admin API, its products page
leaves them out from then on, in the cycles open already and in those it joins later, while
another shop of the same cycle still shows them as sold out; the page stays one Query."""
from __future__ import annotations

import json

from admin_fixtures import ADD, armed, cast, people  # noqa: F401


def shown(shop_app, shop: str, cycle: str) -> dict[str, bool]:
    """What the storefront lists: each variant's name and whether it is available."""
    response = shop_app.http.get(f"/shops/{shop}/cycles/{cycle}/products")
    assert response.status_code == 200, response.body
    return {p["variant_name"]: p["available"] for p in json.loads(response.body)}


def test_a_hub_that_hides_sold_out_products_leaves_them_out_of_its_shop_only(cast, shop_app, aws_requests):
    hub, market = cast["hub"], cast["market"]
    cast.farm.patch(f"/variants/{cast['apples']}", {"on_hand": 0}).ok()
    assert shown(shop_app, hub, cast.cycle) == {"Apples": False, "Bread": True, "Tomme": True}

    assert cast.hub.patch(f"/enterprises/{hub}", {"hide_sold_out": True}).ok()["hide_sold_out"] is True
    aws_requests.clear()
    assert shown(shop_app, hub, cast.cycle) == {"Bread": True, "Tomme": True}
    assert dict(aws_requests) == {"dynamodb.Query": 1}
    assert shown(shop_app, market, cast.cycle) == {"Apples": False, "Bread": True}

    # Changed while the hub is out of the cycle: the cycle copies the preference when it joins again.
    cast.hub.patch(f"/enterprises/{hub}", {"hide_sold_out": False}).ok()
    cast.hub.delete(f"{cast.path}/outgoing/{hub}").ok()
    cast.hub.patch(f"/enterprises/{hub}", {"hide_sold_out": True}).ok()
    cast.hub.put(f"{cast.path}/outgoing/{hub}", {"variant_ids": [cast["apples"], cast["bread"]],
                                                 "ready_for": "Saturday 9-12"}).ok()
    assert shown(shop_app, hub, cast.cycle) == {"Bread": True}

    cast.farm.patch(f"/variants/{cast['apples']}", {"on_hand": 4}).ok()
    assert shown(shop_app, hub, cast.cycle) == {"Apples": True, "Bread": True}
    cast.farm.patch(f"/variants/{cast['apples']}", {"on_hand": 0}).ok()
    cast.hub.patch(f"/enterprises/{hub}", {"hide_sold_out": False}).ok()
    assert shown(shop_app, hub, cast.cycle) == {"Apples": False, "Bread": True}


def test_the_preference_is_a_boolean_named_in_the_refusal(cast):
    error = cast.hub.patch(f"/enterprises/{cast['hub']}", {"hide_sold_out": "sometimes"}).error(422)
    assert error["field"] == "hide_sold_out"
