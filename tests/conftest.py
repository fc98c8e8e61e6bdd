"""Fixtures shared by every test folder.

One moto server (the embedded AWS) runs for the whole session; each test that asks for `aws`
gets it reset and provisioned afresh (table, user pool, SES sender, scheduler group, bus), so
tests never see each other's data. Functional tests drive the Chalice apps in-process with
`chalice.test.Client`; the boto3 clients of this process, the apps' included, talk to moto over
HTTP exactly as they would to AWS."""
from __future__ import annotations

import json
import urllib.request
from collections import Counter
from datetime import datetime, timezone

import pytest
from chalice.test import Client

from hubcycle.adapters.aws import client
from hubcycle.clock import clock as domain_clock
from hubcycle.local.apps import load_function
from hubcycle.local.embedded_aws import point_at, provision, start_moto
from hubcycle.local.mailbox import sent_mail
from hubcycle.local.system import free_port


@pytest.fixture(scope="session")
def embedded_aws() -> str:
    port = free_port()
    server = start_moto(port)
    endpoint = f"http://127.0.0.1:{port}"
    point_at(endpoint)
    yield endpoint
    server.stop()


@pytest.fixture
def aws(embedded_aws):
    """A clean embedded AWS account for one test."""
    request = urllib.request.Request(f"{embedded_aws}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).close()
    point_at(embedded_aws)
    account = provision()
    yield account
    domain_clock.reset()


@pytest.fixture
def clock():
    """The domain clock, frozen at a known instant; move it with clock.freeze / clock.advance."""
    domain_clock.freeze(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    yield domain_clock
    domain_clock.reset()


@pytest.fixture
def mailbox(embedded_aws):
    """Read every email sent so far, in the local mailbox's shape."""
    return sent_mail


@pytest.fixture
def admin_app(aws):
    with Client(load_function("admin").app) as test_client:
        yield test_client


@pytest.fixture
def shop_app(aws):
    with Client(load_function("shop").app) as test_client:
        yield test_client


@pytest.fixture
def aws_requests():
    """Count the AWS API calls this process makes, per `service.Operation`."""
    counts: Counter = Counter()

    def count(event_name: str, **_):
        _, service, operation = event_name.split(".", 2)
        counts[f"{service}.{operation}"] += 1

    clients = [client(s) for s in ("dynamodb", "sesv2", "scheduler", "events")]
    for c in clients:
        c.meta.events.register("before-call.*.*", count)
    yield counts
    for c in clients:
        c.meta.events.unregister("before-call.*.*", count)


def json_body(response) -> dict | list:
    return json.loads(response.body)
