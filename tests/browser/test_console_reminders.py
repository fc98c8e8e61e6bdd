"""Issue 16 in Chromium: the demo hub's manager chooses the shop's reminders in the console (a
refusal shown beside its field, then saved and read back), a customer gets the "shop open" email
when the schedule the save armed fires, and the console counts it for the open cycle."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from hubcycle.dev import LOCAL_PASSWORD
from hubcycle.local.demo import HUB, HUB_MANAGER, load_demo
from hubcycle.local.mailbox import sent_mail
from hubcycle.local.scheduler_loop import SchedulerLoop


def test_the_hub_sets_its_reminders_and_sees_them_counted(page, local_system):
    load_demo(local_system)
    page.goto(local_system.console_url)
    page.get_by_label("Email address").fill(HUB_MANAGER)
    page.get_by_label("Password").fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=HUB["name"]).click()
    page.get_by_test_id("tab-customers").click()
    form = page.get_by_test_id("customer-form")
    form.get_by_label("Name").fill("Amélie Durand")
    form.get_by_label("Email address").fill("amelie@example.org")
    form.get_by_role("button", name="Add customer").click()
    expect(page.get_by_label("Tags of Amélie Durand")).to_be_visible()

    page.get_by_test_id("tab-reminders").click()
    expect(page.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
    page.get_by_label("Email customers when the shop opens").check()
    page.get_by_label("Remind customers who have not ordered before the shop closes").check()
    hours = page.get_by_label("Hours before closing")
    expect(hours).to_have_value("24")
    hours.fill("96")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("field-error")).to_contain_text("72")
    expect(hours).to_have_attribute("aria-invalid", "true")
    hours.fill("6")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("announce")).to_have_text("Saved.")

    # The save armed the open cycle's reminder a moment ahead: fire it as Scheduler would.
    assert SchedulerLoop().fire_due(datetime.now(timezone.utc) + timedelta(seconds=5)) >= 1
    mail = [m for m in sent_mail() if m["to"] == ["amelie@example.org"]]
    assert len(mail) == 1 and "List-Unsubscribe" in mail[0]["headers"]

    page.reload()
    expect(page.get_by_label("Email customers when the shop opens")).to_be_checked()
    expect(page.get_by_label("Hours before closing")).to_have_value("6")
    current = page.get_by_test_id("reminder-counts").filter(has_text="Semaine en cours")
    expect(current.get_by_test_id("count-shop_open")).to_have_text("1 sent, 0 pending, 0 failed")
    expect(current.get_by_test_id("count-closing_soon")).to_have_text("0 sent, 0 pending, 0 failed")
