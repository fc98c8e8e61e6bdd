"""Developer commands for the local system. `python -m hubcycle.dev token EMAIL` prints an id
token for that user of the local user pool (created if new), alone on its line; on stderr, which
embedded AWS it asked and why that one: `AWS_ENDPOINT_URL`, else `HUBCYCLE_AWS_PORT` (as
`make run` reads it), else the `make run` running now, else the default port 8003. Each such
user's password is LOCAL_PASSWORD, so the same person can also sign in to the console (local
pool only)."""
from __future__ import annotations

import argparse
import os
import sys

LOCAL_PASSWORD = "Local-password-2026"


def embedded_aws() -> tuple[str, str]:
    """(the endpoint of the local system's embedded AWS, why that one)."""
    from hubcycle.local.system import Ports, running_aws_endpoint

    if os.environ.get("AWS_ENDPOINT_URL"):
        return os.environ["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"
    if os.environ.get("HUBCYCLE_AWS_PORT"):
        return f"http://127.0.0.1:{Ports.from_environment().aws}", "HUBCYCLE_AWS_PORT"
    running = running_aws_endpoint()
    if running:
        return running[0], f"the `make run` of process {running[1]}"
    return f"http://127.0.0.1:{Ports().aws}", "the default port: no `make run` found, HUBCYCLE_AWS_PORT not set"


def local_token(email: str) -> str:
    from botocore.exceptions import EndpointConnectionError

    from hubcycle.adapters.aws import client
    from hubcycle.local.embedded_aws import find_user_pool, point_at

    endpoint, why = embedded_aws()
    point_at(endpoint)
    try:
        account = find_user_pool()
    except EndpointConnectionError:
        account = None
    if account is None:
        raise SystemExit(f"no local user pool at {endpoint} ({why}): is `make run` running there? "
                         "Set HUBCYCLE_AWS_PORT as for `make run`.")
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
        endpoint, why = embedded_aws()
        print(f"hubcycle.dev: the embedded AWS at {endpoint} ({why})", file=sys.stderr)
        sys.stdout.write(local_token(args.email.strip().lower()) + "\n")


if __name__ == "__main__":
    main()
