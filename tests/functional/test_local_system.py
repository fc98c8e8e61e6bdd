"""The local system `make run` starts: the storefront, the shop and admin APIs on their ports,
the mailbox, and the token command, all on the embedded AWS."""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest

from hubcycle.adapters.mail import OutgoingEmail, send_email
from hubcycle.local import mailbox
from hubcycle.local.system import LocalSystem, Ports, announce_running, free_port, running_file, withdraw_running


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


def token_command(env_changes: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "HUBCYCLE_AWS_PORT")}
    return subprocess.run([sys.executable, "-m", "hubcycle.dev", "token", "ann@example.org"], env={**env, **env_changes},
                          capture_output=True, text=True, timeout=60)


def test_the_token_command_honours_the_port_of_make_run_and_names_it(aws, embedded_aws):
    port = embedded_aws.rsplit(":", 1)[1]
    done = token_command({"HUBCYCLE_AWS_PORT": port})
    assert done.returncode == 0, done.stderr
    assert jwt.decode(done.stdout.strip(), options={"verify_signature": False})["email"] == "ann@example.org"
    assert f"127.0.0.1:{port} (HUBCYCLE_AWS_PORT)" in done.stderr


def test_without_port_settings_the_token_command_finds_the_make_run_running_now(aws, embedded_aws, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with LocalSystem(Ports.free(), embedded_aws=embedded_aws, run_scheduler=False) as system:
        announce_running(system)
        done = token_command({"TMPDIR": str(tmp_path)})
        withdraw_running()
    assert done.returncode == 0, done.stderr
    assert f"{embedded_aws} (the `make run` of process {os.getpid()})" in done.stderr
    assert not running_file().exists()


def test_the_token_command_names_the_port_where_nothing_answers(tmp_path):
    port = free_port()
    done = token_command({"HUBCYCLE_AWS_PORT": str(port), "TMPDIR": str(tmp_path)})
    assert done.returncode != 0 and done.stdout == ""
    assert f"no local user pool at http://127.0.0.1:{port} (HUBCYCLE_AWS_PORT)" in done.stderr


def test_the_system_starts_again_on_the_same_ports_right_after_a_stop(aws, embedded_aws):
    ports = Ports.free()
    for _ in range(2):  # the first run's connections, closed by the servers, sit in TIME_WAIT
        with LocalSystem(ports, embedded_aws=embedded_aws, run_scheduler=False) as system:
            for url in (f"{system.shop_url}/shops", f"{system.admin_url}/health", f"{system.storefront_url}/config.js"):
                request = urllib.request.Request(url, headers={"Connection": "close"})
                with urllib.request.urlopen(request, timeout=10) as answer:
                    assert answer.status == 200


def test_200_simultaneous_connections_are_all_answered(local_system):
    """All connect at once, before any is served: the listen backlog must hold them all, or the
    kernel drops the connections past it and clients wait a second to retry (or are reset)."""
    clients = 200
    connected = threading.Barrier(clients, timeout=10)

    def visit(url: str) -> int:
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=1)  # under TCP's first retry
        connection.connect()
        connection.sock.settimeout(30)
        connected.wait()
        connection.request("GET", "/health" if url != local_system.storefront_url else "/config.js")
        status = connection.getresponse().status
        connection.close()
        return status

    urls = [local_system.shop_url, local_system.admin_url, local_system.storefront_url]
    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(visit, [urls[n % 3] for n in range(clients)]))
    assert statuses == [200] * clients


def test_a_path_no_route_takes_is_404_in_the_contract_shape(local_system):
    for url in (f"{local_system.shop_url}/nowhere", f"{local_system.admin_url}/enterprises/x/nowhere"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(url)
        assert refused.value.code == 404
        assert json.loads(refused.value.read())["error"] == {
            "code": "not_found", "message": "No route answers this path.", "field": None}


def test_the_mailbox_parses_each_message_once_as_it_is_sent(local_system, monkeypatch):
    parsed = []
    parse = mailbox._as_mail
    monkeypatch.setattr(mailbox, "_as_mail", lambda record: parsed.append(record.id) or parse(record))
    for n in range(3):
        send_email(OutgoingEmail(to=[f"s{n}@example.org"], subject=f"Order {n}", text="t", html="<p>t</p>"))
    assert len(parsed) == 3  # before anyone reads the mailbox
    assert len(json.loads(get(local_system.mailbox_url)[1])) == 3
    send_email(OutgoingEmail(to=["s3@example.org"], subject="Order 3", text="t", html="<p>t</p>"))
    mail = json.loads(get(local_system.mailbox_url)[1])
    assert [m["subject"] for m in mail] == [f"Order {n}" for n in range(4)]
    assert len(parsed) == 4 and len(set(parsed)) == 4
