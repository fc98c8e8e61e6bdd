"""What keeps each function's most frequent first request light (issue #7, docs/performance.md):
served by a fresh interpreter, as a Lambda cold start serves it, against the embedded AWS, it
answers without loading pydantic or the domain models. Time is bench/coldstart.py's to measure;
these tests fail when an import creeps back onto those paths."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from shop_fixtures import HUB, load_hub

from hubcycle.adapters.cognito import issuer
from hubcycle.local.apps import api_gateway_event
from hubcycle.settings import settings

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
MODELS = ("pydantic", "hubcycle.enterprises", "hubcycle.order_cycles", "hubcycle.products", "hubcycle.fees",
          "hubcycle.orders", "hubcycle.permissions", "jwt")

FIRST_REQUEST = """
import json, sys
folder, entry, event = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = [folder, folder + "/vendor"]
import app

class Context:
    function_name, function_version, memory_limit_in_mb = "test", "$LATEST", 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test"
    aws_request_id = log_group_name = log_stream_name = "test"
    def get_remaining_time_in_millis(self):
        return 30000

answer = getattr(app, entry)(event, Context())
print(json.dumps({"answer": answer, "loaded": sorted(sys.modules)}, default=str))
"""


def first_request(function: str, entry: str, event: dict, **environment: str) -> tuple[dict, list[str]]:
    env = {**os.environ, **environment, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", FIRST_REQUEST, str(FUNCTIONS / function), entry, json.dumps(event)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    loaded = [m for m in result["loaded"] if m.split(".")[0] == "pydantic" or m in MODELS]
    return result["answer"], loaded


@pytest.fixture
def selling_hub(aws):
    return load_hub(datetime.now(timezone.utc))


def test_a_shoppers_first_request_lists_the_shops_without_the_models(selling_hub):
    answer, loaded = first_request("shop", "app", api_gateway_event("GET", "/shops"))
    assert answer["statusCode"] == 200
    assert [shop["id"] for shop in json.loads(answer["body"])] == [HUB]
    assert loaded == []


def test_a_shop_page_is_served_without_the_models(selling_hub):
    answer, loaded = first_request("shop", "app", api_gateway_event("GET", "/shops/{shop_id}", {"shop_id": HUB}))
    page = json.loads(answer["body"])
    assert answer["statusCode"] == 200 and [c["id"] for c in page["cycles"]] == [selling_hub.cycle, selling_hub.later_cycle]
    assert {m["fee"] for m in page["shipping_methods"]} == {"0.00", "4.50"}
    assert loaded == []


def test_a_managers_first_request_behind_api_gateway_lists_their_enterprises_without_the_models(selling_hub):
    config = settings()
    claims = {"email": "ann@example.org", "email_verified": "true", "token_use": "id",
              "aud": config.user_pool_client_id, "iss": issuer(config.user_pool_id)}
    event = api_gateway_event("GET", "/enterprises", headers={"Authorization": "Bearer verified-by-api-gateway"}, claims=claims)
    answer, loaded = first_request("admin", "app", event, HUBCYCLE_API_GATEWAY_VERIFIES_TOKENS="true")
    assert answer["statusCode"] == 200
    assert [(e["id"], e["timezone"]) for e in json.loads(answer["body"])] == [(HUB, "Europe/Paris")]
    assert loaded == []


def test_a_sweep_with_nothing_owed_ends_without_the_models(aws):
    event = {"version": "0", "id": "sweep", "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "123456789012", "time": "2026-11-23T09:00:00Z", "region": "eu-west-1", "resources": [],
             "detail": {}}
    answer, loaded = first_request("scheduler", "sweep", event)
    assert answer == {}
    assert loaded == []
