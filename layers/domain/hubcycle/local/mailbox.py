"""The local mailbox: what moto's SES has sent, in the contract's shape, oldest first."""
from __future__ import annotations

import email
import email.policy
import json
import urllib.request
from email.utils import getaddresses, parsedate_to_datetime


def sent_mail(endpoint: str) -> list[dict]:
    """Every message sent so far; hubcycle sends raw MIME, which moto keeps in order."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as answer:
        data = json.load(answer)
    return [_as_mail(record) for record in data.get("ses", {}).get("RawMessage", [])]


def _addresses(message, header: str) -> list[str]:
    return [address for _, address in getaddresses(message.get_all(header, []))]


def _as_mail(record: dict) -> dict:
    message = email.message_from_bytes(record["raw_data"].encode("utf-8"), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    date = message.get("Date")
    return {
        "id": record.get("id", ""),
        "to": _addresses(message, "To"),
        "cc": _addresses(message, "Cc"),
        "reply_to": _addresses(message, "Reply-To"),
        "from": str(message.get("From", record.get("source", ""))),
        "subject": str(message.get("Subject", "")),
        "text": text.get_content() if text else "",
        "html": html.get_content() if html else "",
        "sent_at": parsedate_to_datetime(date).isoformat() if date else "",
        "headers": {name: str(value) for name, value in message.items()},
    }
