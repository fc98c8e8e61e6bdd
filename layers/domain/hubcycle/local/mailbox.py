"""The local mailbox: what moto's SES has sent, in the contract's shape, oldest first.

Read from moto's SES store in this process (the local system and the tests run moto in-process),
not from moto's `/moto-api/data.json`, which serialises every service's whole state (the table
included) on each call. Each message is parsed and encoded once, as it is sent (moto only appends
to its list), so that reading the mailbox only joins what is ready: it answers in a fraction of
a second after 10,000 emails, where parsing them on the first read took seconds."""
from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import threading
from email.utils import getaddresses, parsedate_to_datetime


logger = logging.getLogger("hubcycle.local.mailbox")


class Mailbox:
    """The messages of moto's SES store, each encoded as the contract's JSON once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._messages: list | None = None
        self._read = 0
        self._encoded: list[bytes] = []

    def as_json(self) -> bytes:
        """Every message sent so far, as a JSON array."""
        with self._lock:
            self._catch_up()
            return b"[" + b",".join(self._encoded) + b"]"

    def follow(self) -> None:
        """Encode each message as moto's SES sends it (raw MIME is what hubcycle sends)."""
        from moto.ses.models import SESBackend

        send = SESBackend.send_raw_email
        if getattr(send, "followed", False):
            return

        def send_and_encode(backend, *args, **kwargs):
            message = send(backend, *args, **kwargs)
            try:
                with self._lock:
                    self._catch_up()
            except Exception:  # the email is sent all the same; reading the mailbox will say why
                logger.exception("the local mailbox could not read a message")
            return message

        send_and_encode.followed = True
        SESBackend.send_raw_email = send_and_encode

    def _catch_up(self) -> None:
        messages = _sent_messages()
        if messages is not self._messages:  # moto was reset: a new store
            self._messages, self._read, self._encoded = messages, 0, []
        count = len(messages)
        self._encoded += [json.dumps(_as_mail(m)).encode() for m in messages[self._read:count] if hasattr(m, "raw_data")]
        self._read = count


MAILBOX = Mailbox()


def sent_mail() -> list[dict]:
    """Every message sent so far; hubcycle sends raw MIME, which moto keeps in order."""
    return json.loads(MAILBOX.as_json())


def _sent_messages() -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")
    return ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages


def _addresses(message, header: str) -> list[str]:
    return [address for _, address in getaddresses(message.get_all(header, []))]


def _as_mail(record) -> dict:
    message = email.message_from_bytes(record.raw_data.encode("utf-8"), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    date = message.get("Date")
    return {
        "id": record.id,
        "to": _addresses(message, "To"),
        "cc": _addresses(message, "Cc"),
        "reply_to": _addresses(message, "Reply-To"),
        "from": str(message.get("From", record.source)),
        # A long subject folded right after "Subject:" unfolds with a leading space (the standard
        # library's parser keeps it; mail clients do not show it).
        "subject": str(message.get("Subject", "")).strip(),
        "text": text.get_content() if text else "",
        "html": html.get_content() if html else "",
        "sent_at": parsedate_to_datetime(date).isoformat() if date else "",
        "headers": {name: str(value) for name, value in message.items()},
    }
