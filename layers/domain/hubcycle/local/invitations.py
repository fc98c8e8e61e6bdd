"""What Cognito emails on AWS, delivered locally. AdminCreateUser makes Cognito email the new user
a temporary password; moto creates the user but sends nothing (and leaves the user without a
password). The embedded AWS therefore does what the pool would: it sets a temporary password and
sends the invitation through its own SES, so it lands in the local mailbox. The admin function
calls AdminCreateUser the same way locally and on AWS (hubcycle.adapters.cognito.invite)."""
from __future__ import annotations

import secrets

from hubcycle.adapters.mail import OutgoingEmail, mime
from hubcycle.settings import settings

SUBJECT = "Your temporary password"
MESSAGE = "Your username is {username} and temporary password is {####}."
"""Cognito's default invitation (AdminCreateUserConfig.InviteMessageTemplate left unset)."""


def temporary_password() -> str:
    """Meets the pool's password policy, as Cognito's own temporary passwords do."""
    return f"Tmp-{secrets.token_urlsafe(9)}7a"


def deliver_cognito_invitations() -> None:
    """Wrap moto's AdminCreateUser; idempotent."""
    from moto.cognitoidp.models import CognitoIdpBackend

    create = CognitoIdpBackend.admin_create_user
    if getattr(create, "delivers_invitations", False):
        return

    def admin_create_user(self, user_pool_id, username, message_action, temporary_password_given, attributes):
        password = temporary_password_given or temporary_password()
        user = create(self, user_pool_id, username, message_action, password, attributes)
        if message_action != "SUPPRESS":
            email = next((a["Value"] for a in user.attributes if a["Name"] == "email"), username)
            _send(self, email, password)
        return user

    admin_create_user.delivers_invitations = True
    CognitoIdpBackend.admin_create_user = admin_create_user


def _send(cognito_backend, email: str, password: str) -> None:
    from moto.ses.models import ses_backends

    sender = settings().sender
    text = MESSAGE.replace("{username}", email).replace("{####}", password)
    message = mime(OutgoingEmail(to=[email], subject=SUBJECT, text=text, html=f"<p>{text}</p>"), sender)
    ses = ses_backends[cognito_backend.account_id][cognito_backend.region_name]
    ses.send_raw_email(source=sender, destinations=[email], raw_data=message.as_string())
