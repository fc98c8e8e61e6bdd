"""Issue 11's acceptance in Chromium, from empty browsers against the local system: a hub manager
and a producer sign up; the producer grants the hub and lists products; the hub sets up its
methods and fees; each corrects one of each. Then the demo hub's manager signs in, and a manager
invited by email signs in with the temporary password from the mailbox and chooses their own."""
from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect
from test_console import PASSWORD, sign_up

from hubcycle.dev import LOCAL_PASSWORD
from hubcycle.local.demo import HUB, HUB_MANAGER, load_demo
from hubcycle.local.mailbox import sent_mail


PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
"""A 1×1 pixel image."""


@pytest.fixture
def person(browser, local_system, aws):
    """A new, empty browser profile per person (English, Paris time)."""
    contexts = []

    def open_page():
        context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def create_enterprise(page, name: str, kind: str, producer: bool) -> str:
    page.get_by_test_id("new-enterprise").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Kind").select_option(kind)
    if producer:
        page.get_by_label("We produce").check()
    page.get_by_label("Contact email").fill("contact@example.org")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_role("button", name="Create enterprise").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    return page.url.rsplit("/", 1)[-1]


def saved(page) -> None:
    expect(page.get_by_test_id("announce")).to_contain_text(re.compile("Saved|saved"))


def test_a_hub_and_a_producer_set_up_shop_from_empty_browsers(person, local_system):
    url = local_system.console_url
    hub = person()
    sign_up(hub, url, "ines@example.org")
    create_enterprise(hub, "Halle de Gerland", "hub", producer=False)
    # Its profile: a description and a logo, uploaded from the browser to storage.
    hub.get_by_label("Description").fill("Marché couvert, le samedi matin.")
    hide_sold_out = hub.get_by_label("Hide sold-out products (otherwise shown as sold out)")
    hide_sold_out.check()
    hub.get_by_label("Logo").set_input_files(files=[{"name": "logo.png", "mimeType": "image/png", "buffer": PNG}])
    expect(hub.get_by_role("img", name="Logo of Halle de Gerland")).to_be_visible()
    hub.get_by_role("button", name="Save").click()
    saved(hub)
    hub.reload()
    expect(hub.get_by_label("Description")).to_have_value("Marché couvert, le samedi matin.")
    expect(hide_sold_out).to_be_checked()
    logo = hub.get_by_role("img", name="Logo of Halle de Gerland")
    expect(logo).to_be_visible()
    assert hub.evaluate("(img) => img.naturalWidth", logo.element_handle()) == 1

    farm = person()
    sign_up(farm, url, "bruno@example.org")
    farm_id = create_enterprise(farm, "Vergers de Bruno", "profile", producer=True)

    # The producer finds the hub by name and lets it add the farm to its order cycles.
    farm.get_by_test_id("tab-permissions").click()
    farm.get_by_label("Enterprise name").fill("halle")
    farm.get_by_role("button", name="Search").click()
    farm.get_by_role("radio", name=re.compile("Halle de Gerland")).check()
    farm.get_by_label("add us to their order cycles").check()
    farm.get_by_label("manage our products").check()
    farm.get_by_role("button", name="Save permissions").click()
    expect(farm.get_by_test_id("granted")).to_contain_text("Halle de Gerland")
    expect(farm.get_by_test_id("granted")).to_contain_text("add us to their order cycles")

    # ... and lists two products; a refused price shows beside its field.
    farm.get_by_test_id("tab-products").click()
    farm.get_by_test_id("new-product").click()
    farm.get_by_label("Name", exact=True).fill("Pommes")
    farm.get_by_label("Unit").select_option("kg")
    farm.get_by_label("Variant 1: name").fill("Cagette 3 kg")
    farm.get_by_label("Quantity, in kilogram (kg)").fill("3")
    farm.get_by_label("Price").fill("six euros")
    farm.get_by_label("On hand").fill("20")
    farm.get_by_role("button", name="Create product").click()
    price = farm.get_by_label("Price")
    expect(price).to_have_attribute("aria-invalid", "true")
    expect(price).to_be_focused()
    farm.get_by_label("Price").fill("7.50")
    farm.get_by_role("button", name="Create product").click()
    expect(farm.get_by_test_id("bulk-row")).to_have_count(1)

    farm.get_by_test_id("new-product").click()
    farm.get_by_label("Name", exact=True).fill("Jus de pomme")
    farm.get_by_label("Unit").select_option("l")
    farm.get_by_label("Variant 1: name").fill("Bouteille 1 l")
    farm.get_by_label("Quantity, in litre (l)").fill("1")
    farm.get_by_label("Price").fill("3.20")
    farm.get_by_label("On demand").check()
    farm.get_by_role("button", name="Create product").click()
    expect(farm.get_by_test_id("bulk-row")).to_have_count(2)

    # Bulk edit: a price and a stock corrected in place, saved together.
    apples = farm.locator('[data-testid="bulk-row"]', has_text="Pommes")
    apples.get_by_test_id("bulk-price").fill("7.90")
    apples.get_by_test_id("bulk-on_hand").fill("18")
    juice = farm.locator('[data-testid="bulk-row"]', has_text="Jus de pomme")
    juice.get_by_test_id("bulk-price").fill("3.40")
    farm.get_by_role("button", name="Save 2 changes").click()
    expect(farm.get_by_test_id("announce")).to_have_text("2 variants saved.")
    farm.reload()
    expect(farm.locator('[data-testid="bulk-row"]', has_text="Pommes").get_by_test_id("bulk-price")).to_have_value("7.90")
    expect(farm.locator('[data-testid="bulk-row"]', has_text="Pommes").get_by_test_id("bulk-on_hand")).to_have_value("18")
    expect(farm.locator('[data-testid="bulk-row"]', has_text="Jus de pomme").get_by_test_id("bulk-price")).to_have_value("3.40")

    # The hub sees what the farm granted it, and sets up its methods and fees.
    hub.get_by_test_id("tab-permissions").click()
    expect(hub.get_by_test_id("granted-to-me-row")).to_contain_text("Vergers de Bruno")
    # Allowed to manage the farm's products, the hub counts the apples again.
    hub.get_by_role("link", name="Manage their products").click()
    hub.locator('[data-testid="bulk-row"]', has_text="Pommes").get_by_test_id("bulk-on_hand").fill("15")
    hub.get_by_role("button", name="Save 1 change").click()
    expect(hub.get_by_test_id("announce")).to_have_text("1 variant saved.")
    farm.reload()
    expect(farm.locator('[data-testid="bulk-row"]', has_text="Pommes").get_by_test_id("bulk-on_hand")).to_have_value("15")
    hub.go_back()  # to the hub's permissions: its tabs work at once
    # The farm withdraws manage_products again (a new grant replaces the old one).
    farm.get_by_test_id("tab-permissions").click()
    farm.get_by_label("Enterprise name").fill("Halle")
    farm.get_by_role("button", name="Search").click()
    farm.get_by_role("radio", name=re.compile("Halle de Gerland")).check()
    farm.get_by_label("add us to their order cycles").check()
    farm.get_by_role("button", name="Save permissions").click()
    expect(farm.get_by_test_id("granted")).not_to_contain_text("manage our products")
    farm.get_by_test_id("tab-products").click()
    hub.get_by_test_id("tab-methods").click()
    shipping = hub.get_by_test_id("new-shipping-method")
    shipping.get_by_label("Name").fill("Retrait à la halle")
    shipping.get_by_label("Fee").fill("0")
    shipping.get_by_label("Description").fill("Samedi 9 h – 12 h")
    shipping.get_by_role("button", name="Add").click()
    expect(hub.get_by_test_id("shipping-method")).to_have_count(1)
    payment = hub.get_by_test_id("new-payment-method")
    payment.get_by_label("Name").fill("Virement")
    payment.get_by_label("Fee").fill("0.50")
    payment.get_by_label("Description").fill("IBAN FR76 0000 0000 0000")
    payment.get_by_role("button", name="Add").click()
    expect(hub.get_by_test_id("payment-method")).to_have_count(1)

    # Corrections: the pickup becomes a delivery with a fee; a bad fee is refused beside its field.
    method = hub.get_by_test_id("shipping-method")
    method.get_by_label("Pickup").uncheck()
    method.get_by_label("Fee").fill("-3")
    method.get_by_role("button", name="Save").click()
    expect(method.get_by_label("Fee")).to_have_attribute("aria-invalid", "true")
    method.get_by_label("Fee").fill("4.00")
    method.get_by_role("button", name="Save").click()
    saved(hub)
    hub.reload()
    expect(hub.get_by_test_id("shipping-method").get_by_label("Fee")).to_have_value("4.00")
    expect(hub.get_by_test_id("shipping-method").get_by_label("Pickup")).not_to_be_checked()
    hub.get_by_test_id("payment-method").get_by_label("Name").fill("Virement bancaire")
    hub.get_by_test_id("payment-method").get_by_role("button", name="Save").click()
    saved(hub)
    hub.reload()
    expect(hub.get_by_test_id("payment-method").get_by_label("Name")).to_have_value("Virement bancaire")

    hub.get_by_test_id("tab-fees").click()
    new_fee = hub.get_by_test_id("new-fee")
    new_fee.get_by_label("Name").fill("Fonctionnement")
    new_fee.get_by_label("Fee type").select_option("admin")
    new_fee.get_by_label("Calculator").select_option("flexi_rate")
    new_fee.get_by_label("First item").fill("1.00")
    new_fee.get_by_label("Each additional item").fill("0.50")
    new_fee.get_by_label("Maximum items").fill("5")
    new_fee.get_by_role("button", name="Add").click()
    expect(hub.get_by_test_id("fee")).to_have_count(1)
    expect(hub.get_by_test_id("fee").get_by_label("Calculator")).to_have_value("flexi_rate")
    expect(hub.get_by_test_id("fee").get_by_label("First item")).to_have_value("1.00")
    fee = hub.get_by_test_id("fee")
    fee.get_by_label("Calculator").select_option("flat_percent_per_item")
    fee.get_by_label("Percent").fill("6")
    fee.get_by_role("button", name="Save").click()
    saved(hub)
    hub.reload()
    expect(hub.get_by_test_id("fee").get_by_label("Calculator")).to_have_value("flat_percent_per_item")
    expect(hub.get_by_test_id("fee").get_by_label("Percent")).to_have_value("6")

    # The producer corrects a product (description, category, a second variant), hides it,
    # and deletes the other one.
    farm.locator('[data-testid="bulk-row"]', has_text="Pommes").get_by_role("link", name="Pommes").click()
    farm.get_by_label("Description").fill("Reinettes du Vercors, non traitées.")
    farm.get_by_label("Category").fill("Fruits")
    farm.get_by_label("Photo").set_input_files(files=[{"name": "pommes.png", "mimeType": "image/png", "buffer": PNG}])
    expect(farm.get_by_role("img", name="Photo of Pommes")).to_be_visible()
    farm.get_by_role("button", name="Add a variant").click()
    farm.get_by_label("Variant 2: name").fill("Sac 1 kg")
    farm.get_by_test_id("variant").nth(1).get_by_label("Quantity, in kilogram (kg)").fill("1")
    farm.get_by_test_id("variant").nth(1).get_by_label("Price").fill("2.90")
    farm.get_by_test_id("variant").nth(1).get_by_label("On hand").fill("10")
    farm.get_by_label("Hidden from the shops").check()
    farm.get_by_role("button", name="Save").click()
    expect(farm.get_by_test_id("bulk-row")).to_have_count(3)
    expect(farm.locator('[data-testid="bulk-row"]', has_text="Sac 1 kg")).to_contain_text("hidden")
    farm.locator('[data-testid="bulk-row"]', has_text="Sac 1 kg").get_by_role("link", name="Pommes").click()
    expect(farm.get_by_label("Description")).to_have_value("Reinettes du Vercors, non traitées.")
    expect(farm.get_by_label("Category")).to_have_value("Fruits")
    expect(farm.get_by_role("img", name="Photo of Pommes")).to_be_visible()
    farm.get_by_test_id("products-back").click()
    farm.locator('[data-testid="bulk-row"]', has_text="Jus de pomme").get_by_role("link", name="Jus de pomme").click()
    farm.get_by_role("button", name="Delete product").click()
    expect(farm.get_by_test_id("bulk-row")).to_have_count(2)
    expect(farm.get_by_test_id("bulk-form")).not_to_contain_text("Jus de pomme")
    assert farm_id


def test_the_demo_hub_manager_signs_in_and_finds_the_demo_hub(person, local_system):
    load_demo(local_system)
    page = person()
    page.goto(local_system.console_url)
    page.get_by_label("Email address").fill(HUB_MANAGER)
    page.get_by_label("Password").fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=HUB["name"]).click()
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Paris")
    page.get_by_test_id("tab-methods").click()
    expect(page.get_by_test_id("shipping-method").get_by_label("Name")).to_have_value("Retrait au marché")
    page.get_by_test_id("tab-fees").click()
    expect(page.get_by_test_id("fee").get_by_label("Percent")).to_have_value("8")

    # Customers with tags: added, then retagged.
    page.get_by_test_id("tab-customers").click()
    form = page.get_by_test_id("customer-form")
    form.get_by_label("Name").fill("Amélie Durand")
    form.get_by_label("Email address").fill("amelie@example.org")
    form.get_by_label("Tags").fill("member, weekly")
    form.get_by_role("button", name="Add customer").click()
    tags = page.get_by_label("Tags of Amélie Durand")
    expect(tags).to_have_value("member, weekly")
    tags.fill("member, weekly, volunteer")
    page.get_by_test_id("customer").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("announce")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("Tags of Amélie Durand")).to_have_value("member, weekly, volunteer")


def test_an_invited_manager_signs_in_with_the_emailed_password_and_finds_the_enterprise(person, local_system):
    owner = person()
    sign_up(owner, local_system.console_url, "odile@example.org")
    create_enterprise(owner, "Épicerie d'Odile", "shop", producer=False)
    owner.get_by_test_id("tab-managers").click()
    owner.get_by_label("Email address").fill("remi@example.org")
    owner.get_by_role("button", name="Invite").click()
    expect(owner.get_by_test_id("announce")).to_contain_text("temporary password")
    expect(owner.get_by_test_id("manager")).to_have_count(2)

    invitation = next(m for m in sent_mail() if m["to"] == ["remi@example.org"])
    temporary = re.search(r"temporary password is (\S+?)\.?$", invitation["text"].strip()).group(1)
    invited = person()
    invited.goto(local_system.console_url)
    invited.get_by_label("Email address").fill("remi@example.org")
    invited.get_by_label("Password").fill(temporary)
    invited.get_by_role("button", name="Sign in").click()
    expect(invited.get_by_role("heading", name="Choose your password")).to_be_visible()
    invited.get_by_label("New password").fill("short")
    invited.get_by_role("button", name="Save password and sign in").click()
    expect(invited.get_by_label("New password")).to_have_attribute("aria-invalid", "true")
    invited.get_by_label("New password").fill(PASSWORD)
    invited.get_by_role("button", name="Save password and sign in").click()
    expect(invited.get_by_role("link", name="Épicerie d'Odile")).to_be_visible()

    # The last manager cannot go; the others can.
    owner.get_by_role("button", name="Remove remi@example.org").click()
    expect(owner.get_by_test_id("manager")).to_have_count(1)
    owner.get_by_role("button", name="Remove odile@example.org").click()
    expect(owner.get_by_test_id("form-error")).to_have_text("An enterprise keeps at least one manager.")
