"""One boto3 client per service and process. The endpoint comes from `AWS_ENDPOINT_URL`
(botocore reads it), which the local system points at the embedded moto server; on Lambda it is
unset and the clients reach AWS itself."""
from __future__ import annotations

import os
from functools import cache

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=3, read_timeout=10)


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"


@cache
def client(service: str):
    return boto3.session.Session().client(service, region_name=region(), config=_CONFIG)


def reset_clients() -> None:
    """Forget cached clients, e.g. after the local system changed AWS_ENDPOINT_URL."""
    client.cache_clear()
