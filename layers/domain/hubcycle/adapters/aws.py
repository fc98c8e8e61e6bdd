"""One AWS client per service and process. The endpoint comes from `AWS_ENDPOINT_URL` (botocore
reads it), which the local system points at the embedded moto server; on Lambda it is unset and
the clients reach AWS itself. The clients are botocore's, the same ones boto3 hands out, created
without importing boto3 (which loads s3transfer and multiprocessing: ~25 ms of a cold start)."""
from __future__ import annotations

import os
import threading
from functools import cache

import botocore.session
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=3, read_timeout=10)


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"


_creating = threading.Lock()


@cache
def _session() -> botocore.session.Session:
    """One session for all the clients: the second and third client of a cold start then cost
    about 10 ms instead of 60 (a session loads the endpoint and partition data once)."""
    return botocore.session.get_session()


_SIGNATURE_V4 = Config(signature_version="s3v4")
"""S3 presigns with Signature Version 2 unless told otherwise; regions opened since 2014 accept only 4."""


@cache
def _client(service: str):
    config = _CONFIG.merge(_SIGNATURE_V4) if service == "s3" else _CONFIG
    return _session().create_client(service, region_name=region(), config=config)


def client(service: str):
    """Clients are thread-safe, a session is not: clients are created one at a time."""
    with _creating:
        return _client(service)


def reset_clients() -> None:
    """Forget cached clients, e.g. after the local system changed AWS_ENDPOINT_URL."""
    with _creating:
        _client.cache_clear()
        _session.cache_clear()
