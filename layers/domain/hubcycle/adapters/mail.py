"""Sending email through SES. Messages go out as raw MIME (text and HTML alternatives, Cc,
Reply-To), which SES and the local mailbox both read the same way."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from hubcycle.adapters.aws import client
from hubcycle.settings import settings


@dataclass(frozen=True)
class OutgoingEmail:
    to: list[str]
    subject: str
    text: str
    html: str
    cc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    sender_name: str = "hubcycle"


_BREAKS_A_HEADER = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: str) -> str:
    """A header value on one line: names are validated single-line, but an item stored before
    that rule (or any other text) must not stop an email. The policy then folds and encodes it."""
    return _BREAKS_A_HEADER.sub(" ", value).strip()


def mime(message: OutgoingEmail, sender: str) -> EmailMessage:
    """Built under the standard library's email policy (RFC 2047 encoding of non-ASCII words,
    folding, structured addresses): with header_text, no value can add a header or break one."""
    mail = EmailMessage(policy=policy.default)
    mail["From"] = Address(display_name=header_text(message.sender_name), addr_spec=sender)
    mail["To"] = ", ".join(message.to)
    if message.cc:
        mail["Cc"] = ", ".join(message.cc)
    if message.reply_to:
        mail["Reply-To"] = ", ".join(message.reply_to)
    mail["Subject"] = header_text(message.subject)
    mail["Date"] = formatdate(usegmt=True)
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


def send_email(message: OutgoingEmail) -> str:
    """Send and return SES's message id; SES errors propagate (callers decide to retry)."""
    config = settings()
    params = {
        "FromEmailAddress": config.sender,
        "Destination": {"ToAddresses": message.to, "CcAddresses": message.cc},
        "Content": {"Raw": {"Data": mime(message, config.sender).as_bytes()}},
    }
    if config.ses_configuration_set:
        params["ConfigurationSetName"] = config.ses_configuration_set
    return client("sesv2").send_email(**params)["MessageId"]
