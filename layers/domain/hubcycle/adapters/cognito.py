"""The managers' Cognito id tokens. On AWS, API Gateway's Cognito authorizer verifies each token
(RS256 signature against the user pool's keys, issuer, expiry) before the function runs and hands
it the token's claims; the function then checks what the authorizer does not: the app client
(`aud`), `token_use` and a verified email. Where no authorizer stands in front (the local system,
the test client), the app verifies the whole token itself with PyJWT, imported only then: its
cryptography bindings and the key fetch would otherwise cost every cold start on AWS some 40 ms
of imports and a round trip to Cognito. Locally the pool is moto's, which serves its JWKS at the
embedded endpoint but names the real AWS host in `iss`: only the JWKS address changes.

Expiry is checked against the wall clock, not the domain clock: Cognito stamps tokens with real
time, and a token's life is the identity provider's fact, not a rule of the hub."""
from __future__ import annotations

from functools import lru_cache

from hubcycle.errors import Unauthorized, Unavailable
from hubcycle.settings import settings

ALGORITHMS = ["RS256"]
JWKS_LIFESPAN_SECONDS = 3600


class VerifierUnavailable(Unavailable):
    """The user pool's keys cannot be fetched: our failure, not the caller's."""

    code = "auth_unavailable"


def issuer(user_pool_id: str) -> str:
    """The `iss` of the pool's tokens; a pool id starts with its region ("eu-west-1_AbC")."""
    region = user_pool_id.split("_", 1)[0]
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def jwks_url(user_pool_id: str, endpoint_url: str = "") -> str:
    """On AWS the issuer serves it; locally the embedded AWS does, under the same pool id."""
    base = f"{endpoint_url.rstrip('/')}/{user_pool_id}" if endpoint_url else issuer(user_pool_id)
    return f"{base}/.well-known/jwks.json"


@lru_cache(maxsize=8)
def _keys(url: str):
    """One key client per pool and process: the JWKS is fetched once, then kept for an hour."""
    import jwt

    return jwt.PyJWKClient(url, lifespan=JWKS_LIFESPAN_SECONDS, timeout=5)


def verified_claims(authorizer_claims: dict | None, token: str) -> dict:
    """The claims of the caller's valid id token, or Unauthorized saying why not: those API
    Gateway's authorizer verified when the deployment says one stands in front of every route
    (`HUBCYCLE_API_GATEWAY_VERIFIES_TOKENS`), the token verified here otherwise."""
    config = settings()
    if not config.user_pool_id or not config.user_pool_client_id:
        raise Unauthorized("The managers' user pool is not configured.")
    if config.api_gateway_verifies_tokens and authorizer_claims:
        claims = authorizer_claims
        if claims.get("aud") != config.user_pool_client_id or claims.get("iss") != issuer(config.user_pool_id):
            raise Unauthorized("The token was not issued to the managers' app.")
        if not claims.get("email"):
            raise Unauthorized("The token names no email address.")
    else:
        claims = verify_id_token(token)
    if claims.get("token_use") != "id":
        raise Unauthorized("An id token is needed, not an access token.")
    if claims.get("email_verified") not in (True, "true"):
        # Otherwise a user could claim a manager's address before proving it is theirs.
        raise Unauthorized("The token's email address is not verified.")
    return claims


def verify_id_token(token: str) -> dict:
    """The claims of an id token whose signature, issuer, audience and expiry hold."""
    import jwt

    config = settings()
    try:
        key = _keys(jwks_url(config.user_pool_id, config.endpoint_url)).get_signing_key_from_jwt(token)
    except jwt.PyJWKClientConnectionError:
        raise VerifierUnavailable("The user pool's signing keys cannot be fetched; try again shortly.") from None
    except jwt.PyJWTError:
        raise Unauthorized("The token is not an id token signed by the managers' user pool.") from None
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=ALGORITHMS,
            audience=config.user_pool_client_id,
            issuer=issuer(config.user_pool_id),
            options={"require": ["exp", "iat", "iss", "aud", "token_use", "email"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired; sign in again.") from None
    except jwt.PyJWTError as error:
        raise Unauthorized(f"The token is not valid: {error}.") from None
    return claims


def invite(email: str) -> bool:
    """Give `email` a way into the managers' pool: AdminCreateUser, with which Cognito emails a
    temporary password (changed at the first sign-in, the NEW_PASSWORD_REQUIRED challenge). The
    address is marked verified, since managers are identified by it and it is where the
    invitation goes. False if that person has an account already: nothing is sent, and adding
    them as a manager is all there is to do."""
    from hubcycle.adapters.aws import client

    cognito = client("cognito-idp")
    try:
        cognito.admin_create_user(
            UserPoolId=settings().user_pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            DesiredDeliveryMediums=["EMAIL"],
        )
    except cognito.exceptions.UsernameExistsException:
        return False
    return True
