"""Lighthouse's accessibility and best-practices scores of the console's main pages (sign-in,
enterprises, products), against a local system with the demo hub. Prints `name: value` lines.

    npm install --prefix /tmp/lh lighthouse   # not a project dependency: a measuring tool
    make console && LIGHTHOUSE=/tmp/lh/node_modules/.bin/lighthouse .venv/bin/python console/lighthouse.py

One Chromium (Debian's) with a remote-debugging port serves both Playwright, which signs in, and
Lighthouse (--port, --disable-storage-reset), which then audits the signed-in pages."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import urllib.request

from playwright.sync_api import expect, sync_playwright

from hubcycle.dev import LOCAL_PASSWORD
from hubcycle.local.demo import load_demo
from hubcycle.local.system import LocalSystem, Ports, free_port

CATEGORIES = ("accessibility", "best-practices")


def audit(lighthouse: str, port: int, url: str, keep_storage: bool) -> dict[str, float]:
    command = [lighthouse, url, f"--port={port}", "--output=json", "--quiet",
               f"--only-categories={','.join(CATEGORIES)}", "--form-factor=mobile"]
    if keep_storage:
        command.append("--disable-storage-reset")
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    failing = [a["id"] for a in report["audits"].values() if a.get("score") is not None and a["score"] < 1
               and any(a["id"] == ref["id"] for c in report["categories"].values() for ref in c["auditRefs"] if ref["weight"])]
    if failing:
        print(f"# {url}: failing audits {failing}")
    applicable = sorted(a["id"] for a in report["audits"].values() if a.get("scoreDisplayMode") == "binary")
    print(f"# {url}: {len(applicable)} audits applied")
    return {name: report["categories"][name]["score"] for name in CATEGORIES}


def main() -> None:
    lighthouse = os.environ.get("LIGHTHOUSE", "lighthouse")
    port = free_port()
    with LocalSystem(Ports.free(), run_scheduler=False) as system, tempfile.TemporaryDirectory() as profile:
        load_demo(system)
        chromium = subprocess.Popen(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                     "--disable-background-networking", "--no-first-run", f"--user-data-dir={profile}",
                                     f"--remote-debugging-port={port}", "about:blank"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(50):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            scores = {"sign-in": audit(lighthouse, port, system.console_url, keep_storage=False)}
            with sync_playwright() as playwright:
                browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
                page = browser.contexts[0].new_page()
                page.goto(system.console_url)
                page.get_by_test_id("email").fill("paul@example.org")
                page.get_by_test_id("password").fill(LOCAL_PASSWORD)
                page.get_by_test_id("sign-in").click()
                expect(page.get_by_test_id("enterprise-list")).to_be_visible()
                farm = page.get_by_test_id("enterprise-link").first.get_attribute("data-enterprise-id")
                page.close()
            scores["enterprises"] = audit(lighthouse, port, system.console_url, keep_storage=True)
            scores["products"] = audit(lighthouse, port, f"{system.console_url}#/enterprises/{farm}/products", keep_storage=True)
        finally:
            chromium.terminate()
            chromium.wait()
    for page_name, found in scores.items():
        for category, score in found.items():
            print(f"console_lighthouse_{page_name}_{category}: {score}")


if __name__ == "__main__":
    main()
