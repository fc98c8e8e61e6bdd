"""Schemathesis against the local system over HTTP, from each API's own /openapi.json: a bounded
number of generated requests per route, valid and invalid, each answered without a 5xx and as
the document says (the contract's error shape for every refusal). The admin routes are called
with a real id token of the demo hub's manager; path parameters are drawn from the demo's real
ids as well as generated ones, so the requests reach the rules, not only the 404s."""
from __future__ import annotations

import json
import urllib.request
from collections import Counter

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from hubcycle.dev import local_token
from hubcycle.local.demo import HUB_MANAGER, load_demo
from hubcycle.local.embedded_aws import point_at, provision
from hubcycle.local.system import LocalSystem, Ports

EXAMPLES_PER_ROUTE = 30
"""Half valid, half invalid: about 900 requests over the two APIs, some 2 minutes on 2 cores."""

requests_made: Counter = Counter()


@pytest.fixture(scope="module")
def demo_system(embedded_aws):
    """The local system with the demo hub, on a freshly reset embedded AWS; (system, token, ids)."""
    urllib.request.urlopen(urllib.request.Request(f"{embedded_aws}/moto-api/reset", method="POST"), timeout=10).close()
    point_at(embedded_aws)
    provision()
    with LocalSystem(Ports.free(), embedded_aws=embedded_aws, run_scheduler=False) as system:
        load_demo(system)
        token = local_token(HUB_MANAGER)
        yield system, token, demo_ids(system, token)


@pytest.fixture(scope="module", autouse=True)
def report_requests(request):
    """Print how many requests were made, and how they were answered, even when all pass."""
    yield
    answers = "; ".join(f"{api}: " + ", ".join(f"{n} {kind}xx" for (a, kind), n in sorted(requests_made.items()) if a == api)
                        for api in sorted({api for api, _ in requests_made}))
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        request.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"schemathesis: {sum(requests_made.values())} requests ({answers})")


def demo_ids(system, token: str) -> dict[str, list[str]]:
    """Real values for each path parameter's name, read through the admin API."""

    def get(path: str):
        request = urllib.request.Request(f"{system.admin_url}{path}", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)

    enterprises = [e["id"] for e in get("/enterprises")]
    cycles = [c["id"] for c in get("/order-cycles")]
    variants = [v["id"] for e in enterprises for p in get(f"/enterprises/{e}/products") for v in p["variants"]]
    return {"shop_id": enterprises, "enterprise_id": enterprises, "grantee_id": enterprises,
            "supplier_id": enterprises, "distributor_id": enterprises, "cycle_id": cycles, "variant_id": variants,
            "email": [HUB_MANAGER]}


def api_schema(system, token: str | None, ids: dict[str, list[str]], url: str):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", headers=headers)
    schema.config.update(base_url=url, headers=headers)

    @schema.hook
    def before_generate_path_parameters(context, strategy):
        names = [p.name for p in context.operation.path_parameters]
        if not names or not all(ids.get(name) for name in names):
            return strategy
        return strategy | st.fixed_dictionaries({name: st.sampled_from(ids[name]) for name in names})

    return schema


CHECKS = [not_a_server_error, response_schema_conformance]


def fuzz(schema, api: str) -> list[str]:
    """Every operation of the schema, valid and invalid cases; the failures, each named by its
    operation (one failing operation does not hide the others)."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in GenerationMode:

            @settings(max_examples=EXAMPLES_PER_ROUTE // 2 + 1, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), phases=[Phase.generate])
            @given(case=operation.as_strategy(mode))
            def call(case):
                response = case.call()
                requests_made[api, response.status_code // 100] += 1
                case.validate_response(response, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:  # nothing in this operation can be made invalid (no body, no parameter)
                pass
            except BaseExceptionGroup as failure:  # schemathesis groups the failures of an operation
                failures.append(f"{operation.label} ({mode}): {failure}")
    return failures


def test_the_shop_api_answers_as_its_document_says(demo_system):
    system, _, ids = demo_system
    failures = fuzz(api_schema(system, None, ids, system.shop_url), "shop")
    assert not failures, "\n\n".join(failures)


def test_the_admin_api_answers_as_its_document_says(demo_system):
    system, token, ids = demo_system
    failures = fuzz(api_schema(system, token, ids, system.admin_url), "admin")
    assert not failures, "\n\n".join(failures)
