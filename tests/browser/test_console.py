"""The managers' console in Chromium against the whole local system: real sign-up, sign-in and
session renewal with the local user pool (amazon-cognito-identity-js talking to moto's Cognito),
then the admin API from the browser. `make console` builds what is served at /console/."""
from __future__ import annotations

import base64
import json
import re

import pytest
from playwright.sync_api import expect

from hubcycle.local.storefront_server import CONSOLE

PASSWORD = "Correct-horse-42"


@pytest.fixture(autouse=True)
def console_built():
    if not (CONSOLE / "index.html").is_file():
        pytest.fail("the console is not built: run `make console` (make test does)")


def sign_up(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_role("link", name="No account yet? Sign up").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    expect(page.get_by_text("any code is accepted")).to_be_visible()
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("whoami")).to_have_text(f"Signed in as {email}")


def expire_id_token(page) -> str:
    """Replace the stored id and access tokens by copies whose `exp` has passed (the library
    decodes them without checking a signature), as an hour later would; returns the old one."""
    return page.evaluate("""() => {
        const expired = (jwt) => {
            const [head, body, sig] = jwt.split(".");
            const claims = JSON.parse(atob(body.replace(/-/g, "+").replace(/_/g, "/")));
            claims.exp = Math.floor(Date.now() / 1000) - 60;
            return [head, btoa(JSON.stringify(claims)).replace(/=+$/, ""), sig].join(".");
        };
        let old = null;
        for (const key of Object.keys(localStorage)) {
            if (key.endsWith(".idToken")) { old = localStorage.getItem(key); localStorage.setItem(key, expired(old)); }
            if (key.endsWith(".accessToken")) localStorage.setItem(key, expired(localStorage.getItem(key)));
        }
        return old;
    }""")


def stored_id_token(page) -> str:
    return page.evaluate("() => Object.keys(localStorage).filter((k) => k.endsWith('.idToken')).map((k) => localStorage.getItem(k))[0] || null")


def test_sign_up_sign_in_and_the_session_survives_a_reload_and_an_expired_token(page, local_system):
    url = local_system.console_url
    sign_up(page, url, "nadia@example.org")
    expect(page.get_by_test_id("no-enterprises")).to_be_visible()
    # Nothing of the password is kept by the browser.
    storage = page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")
    assert PASSWORD not in storage

    page.reload()
    expect(page.get_by_test_id("whoami")).to_have_text("Signed in as nadia@example.org")

    # An hour later the id token has expired: the refresh token renews it without asking.
    old = expire_id_token(page)
    page.reload()
    page.get_by_test_id("new-enterprise").click()
    page.get_by_label("Name").fill("Épicerie de Nadia")
    page.get_by_label("Contact email").fill("epicerie@example.org")
    page.get_by_role("button", name="Create enterprise").click()
    expect(page.get_by_role("heading", name="Épicerie de Nadia")).to_be_visible()
    renewed = stored_id_token(page)
    assert renewed and renewed != old
    claims = json.loads(base64.urlsafe_b64decode(renewed.split(".")[1] + "=="))
    assert claims["email"] == "nadia@example.org"

    page.get_by_test_id("sign-out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert stored_id_token(page) is None


def test_wrong_password_and_weak_password_are_shown_beside_the_field_in_french(page, local_system):
    page.goto(local_system.console_url)
    page.get_by_test_id("language-switch").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "fr"
    page.get_by_label("Adresse e-mail").fill("nobody@example.org")
    page.get_by_label("Mot de passe").fill("whatever-1A")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("field-error")).to_be_visible()
    error = page.get_by_test_id("field-error").inner_text()
    assert re.search(r"Aucun compte|incorrect", error), error
