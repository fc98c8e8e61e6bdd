"""Developer commands for the local system. `python -m hubcycle.dev token EMAIL` prints an id
token for that user of the local user pool (created if new), alone on its line. Each such user's
password is LOCAL_PASSWORD, so the same person can also sign in to the console (local pool only)."""
from __future__ import annotations

import argparse
import os
import sys

LOCAL_PASSWORD = "Local-password-2026"


def local_token(email: str) -> str:
    from hubcycle.adapters.aws import client
    from hubcycle.local.embedded_aws import find_user_pool, point_at

    point_at(os.environ.get("AWS_ENDPOINT_URL") or f"http://127.0.0.1:{os.environ.get('HUBCYCLE_AWS_PORT', '8003')}")
    account = find_user_pool()
    if account is None:
        raise SystemExit("no local user pool: is `make run` running?")
    cognito = client("cognito-idp")
    password = LOCAL_PASSWORD
    try:
        cognito.admin_get_user(UserPoolId=account.user_pool_id, Username=email)
    except cognito.exceptions.UserNotFoundException:
        cognito.admin_create_user(
            UserPoolId=account.user_pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
    cognito.admin_set_user_password(UserPoolId=account.user_pool_id, Username=email, Password=password, Permanent=True)
    answer = cognito.admin_initiate_auth(
        UserPoolId=account.user_pool_id,
        ClientId=account.user_pool_client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return answer["AuthenticationResult"]["IdToken"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hubcycle.dev")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print an id token for a local user")
    token.add_argument("email")
    args = parser.parse_args(argv)
    if args.command == "token":
        sys.stdout.write(local_token(args.email.strip().lower()) + "\n")


if __name__ == "__main__":
    main()
