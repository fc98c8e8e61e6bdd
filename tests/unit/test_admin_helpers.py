"""The admin edge's pure helpers: PATCH bodies, reading the bearer token, the pool's addresses."""
import pytest
from pydantic import BaseModel, Field, ValidationError

from hubcycle.adapters.cognito import issuer, jwks_url
from hubcycle.enterprises import Name
from hubcycle.errors import Unauthorized
from hubcycle.services.auth import bearer_token
from hubcycle.services.bodies import body_of


class Thing(BaseModel):
    id: str
    name: Name
    tags: list[str] = Field(default_factory=list, max_length=2)
    note: str | None = None


New = body_of(Thing, "New", frozenset({"id"}))
Patch = body_of(Thing, "Patch", frozenset({"id"}), optional=True)


def test_a_body_has_the_models_fields_defaults_and_constraints_but_the_excluded():
    assert New.model_validate({"name": " Green Hub "}).model_dump() == {"name": "Green Hub", "tags": [], "note": None}
    for sent in ({}, {"name": "x", "id": "1"}, {"name": "x", "tags": ["a", "b", "c"]}, {"name": "x", "colour": "red"}):
        with pytest.raises(ValidationError):
            New.model_validate(sent)


def test_a_partial_body_has_every_field_optional_and_says_which_were_sent():
    body = Patch.model_validate({"name": "  Green Hub "})
    assert (body.name, body.tags, body.model_fields_set) == ("Green Hub", None, {"name"})
    assert Patch.model_validate({"note": None}).model_dump(exclude_unset=True) == {"note": None}


@pytest.mark.parametrize("sent", [{"name": None}, {"name": ""}, {"tags": ["a", "b", "c"]}, {"id": "x"}, {"colour": "red"}])
def test_a_partial_body_keeps_the_constraints_and_refuses_unknown_fields(sent):
    with pytest.raises(ValidationError):
        Patch.model_validate(sent)


@pytest.mark.parametrize("header, token", [("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer  abc ", "abc"), ("abc", "abc")])
def test_the_token_is_read_with_or_without_bearer(header, token):
    assert bearer_token({"authorization": header}) == token


@pytest.mark.parametrize("headers", [{}, {"authorization": ""}, {"authorization": "Bearer  "}])
def test_no_token_is_unauthorized(headers):
    with pytest.raises(Unauthorized):
        bearer_token(headers)


def test_the_pools_issuer_and_keys_on_aws_and_locally():
    pool = "eu-west-1_AbC123"
    assert issuer(pool) == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    assert jwks_url(pool) == f"{issuer(pool)}/.well-known/jwks.json"
    assert jwks_url(pool, "http://127.0.0.1:8003/") == "http://127.0.0.1:8003/eu-west-1_AbC123/.well-known/jwks.json"


def test_ids_are_opaque_short_and_sort_as_they_were_made(clock):
    from hubcycle.services.bodies import new_id

    ids = [new_id() for _ in range(50)]
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == 50
