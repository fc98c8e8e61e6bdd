"""Two answers of Cognito that moto gives differently, made as AWS gives them, so that the
console's sign-in code (amazon-cognito-identity-js) runs unchanged on the local system:

- ConfirmSignUp: Cognito marks the address verified when a sign-up is confirmed with the code it
  emailed (the pool auto-verifies `email`); moto confirms without doing so, and the admin API
  trusts verified addresses only.
- InitiateAuth answering NEW_PASSWORD_REQUIRED (an invited manager's first sign-in): Cognito's
  challenge names the user's `userAttributes` and the `requiredAttributes` (JSON strings), which
  the client library parses; moto leaves them out."""
from __future__ import annotations

import json


def answer_cognito_as_aws() -> None:
    """Wrap moto's Cognito backend; idempotent."""
    from moto.cognitoidp.models import CognitoIdpBackend

    if getattr(CognitoIdpBackend.confirm_sign_up, "like_aws", False):
        return
    confirm, initiate = CognitoIdpBackend.confirm_sign_up, CognitoIdpBackend.initiate_auth

    def confirm_sign_up(self, client_id: str, username: str) -> str:
        answer = confirm(self, client_id, username)
        for pool in self.user_pools.values():
            user = pool._get_user(username) if client_id in pool.clients else None
            if user and "email" in pool.extended_config.get("AutoVerifiedAttributes", []):
                user.update_attributes([{"Name": "email_verified", "Value": "true"}])
        return answer

    def initiate_auth(self, client_id: str, auth_flow: str, auth_parameters: dict) -> dict:
        answer = initiate(self, client_id, auth_flow, auth_parameters)
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            pool = next(p for p in self.user_pools.values() if client_id in p.clients)
            user = pool._get_user(auth_parameters.get("USERNAME"))
            attributes = {a["Name"]: a["Value"] for a in user.attributes if a["Name"] != "sub"}
            answer["ChallengeParameters"].setdefault("userAttributes", json.dumps(attributes))
            answer["ChallengeParameters"].setdefault("requiredAttributes", "[]")
        return answer

    confirm_sign_up.like_aws = True
    CognitoIdpBackend.confirm_sign_up = confirm_sign_up
    CognitoIdpBackend.initiate_auth = initiate_auth
