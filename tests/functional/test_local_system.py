"""The local system `make run` starts: the storefront, the shop and admin APIs on their ports,
the mailbox, and the token command, all on the embedded AWS."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import jwt
import pytest

from hubcycle.adapters.mail import OutgoingEmail, send_email
from hubcycle.local.system import LocalSystem, Ports


@pytest.fixture
def local_system(aws, embedded_aws):
    with LocalSystem(Ports.free(), embedded_aws=embedded_aws, run_scheduler=False) as system:
        yield system


def get(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read(), answer.headers.get("Content-Type", "")


def test_the_storefront_and_both_apis_answer_on_their_ports(local_system):
    status, page, _ = get(f"{local_system.storefront_url}/")
    assert status == 200 and b"<html" in page.lower()
    _, config, content_type = get(f"{local_system.storefront_url}/config.js")
    assert local_system.shop_url.encode() in config and "javascript" in content_type
    status, shops, _ = get(f"{local_system.shop_url}/shops")
    assert status == 200 and json.loads(shops) == []
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(f"{local_system.admin_url}/enterprises")
    assert refused.value.code == 401


def test_the_mailbox_shows_what_ses_sent_oldest_first(local_system):
    send_email(OutgoingEmail(to=["zoe@example.org"], subject="First", text="one", html="<p>one</p>",
                             cc=["hub@example.org"], reply_to=["hub@example.org"]))
    send_email(OutgoingEmail(to=["max@example.org"], subject="Second", text="deux é", html="<p>deux é</p>"))
    _, body, content_type = get(f"{local_system.mailbox_url}")
    mail = json.loads(body)
    assert content_type.startswith("application/json")
    assert [(m["to"], m["subject"]) for m in mail] == [(["zoe@example.org"], "First"), (["max@example.org"], "Second")]
    assert mail[0]["cc"] == ["hub@example.org"] and mail[0]["html"].strip() == "<p>one</p>"
    assert mail[1]["text"].strip() == "deux é"
    assert mail[0]["from"].endswith("<orders@hubcycle.local>") and mail[0]["sent_at"]


def test_the_token_command_prints_an_id_token_for_a_local_user(aws, embedded_aws):
    env = {**os.environ, "AWS_ENDPOINT_URL": embedded_aws}
    printed = subprocess.run([sys.executable, "-m", "hubcycle.dev", "token", "Ann@Example.org"], env=env,
                             capture_output=True, text=True, timeout=60, check=True).stdout
    lines = printed.splitlines()
    assert len(lines) == 1
    claims = jwt.decode(lines[0], options={"verify_signature": False})
    assert claims["email"] == "ann@example.org" and claims["token_use"] == "id"
    assert claims["aud"] == aws.user_pool_client_id
