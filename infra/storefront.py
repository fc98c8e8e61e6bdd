#!/usr/bin/env python3
"""Stage the static sites for upload, with the storefront's config.js pointing at the deployed shop API.

    python infra/storefront.py --shop-api-url https://abc123.execute-api.eu-west-1.amazonaws.com/api \
        [--src build/storefront] [--dest infra/out/storefront] \
        [--admin-api-url URL --user-pool-id ID --user-pool-client-id ID]

With the admin API and the user pool, the managers' console (its build, build/console: `make
console`) is staged under console/ of the same site, with its own config.js.

infra/deploy.sh runs this after the stack is deployed (the URL is the stack output ShopApiUrl) and
uploads the staged copy to the private storefront bucket, behind the one CloudFront distribution.
The storefront's build (build/storefront: `make storefront`, its script bundled and minified) is the
site's root; each folder of STATIC_SITES is copied under its path beside it (a
folder that does not exist is skipped). Sources are never modified.

config.js keeps every other setting the storefront's own file has (currency, ...): only the value of
`shopApiUrl` is replaced. If the file has no `shopApiUrl` entry, an assignment that adds it is
appended.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT / "build" / "storefront"
DEFAULT_DEST = ROOT / "infra" / "out" / "storefront"
CONSOLE_BUILD = ROOT / "build" / "console"
NOT_UPLOADED = ("*.md", ".*", "*.map")
STATIC_SITES = {}
"""Other static folders of the repository served from the same bucket and distribution, by the
path they get there: e.g. {"console": "console"} publishes console/ at /console/."""

_SHOP_API_URL = re.compile(
    r"""(?P<key>["']?\bshopApiUrl["']?\s*:\s*)(?P<quote>["'`])(?P<value>(?:\\.|(?!(?P=quote)).)*)(?P=quote)""",
    re.DOTALL,
)


def normalize_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not re.match(r"^https://[^\s/]+(/[^\s]*)?$", url):
        raise ValueError(f"the shop API URL must be an https:// URL, not {url!r}")
    return url


def render_config(text: str | None, shop_api_url: str) -> str:
    """config.js with `shopApiUrl` set to the deployed shop API (no trailing slash)."""
    url = json.dumps(normalize_url(shop_api_url))
    if text:
        rendered, count = _SHOP_API_URL.subn(lambda m: m.group("key") + url, text, count=1)
        if count:
            return rendered
        return (text.rstrip("\n") + "\n// Added at deploy time by infra/storefront.py\n"
                f"window.HUBCYCLE_CONFIG = Object.assign(window.HUBCYCLE_CONFIG || {{}}, {{shopApiUrl: {url}}});\n")
    return f"window.HUBCYCLE_CONFIG = {{shopApiUrl: {url}}};\n"


def stage(src: Path, dest: Path, shop_api_url: str) -> Path:
    if not (src / "index.html").is_file():
        raise FileNotFoundError(f"{src} has no index.html: run `make storefront`")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(*NOT_UPLOADED))
    config = src / "config.js"
    (dest / "config.js").write_text(render_config(config.read_text() if config.exists() else None, shop_api_url))
    for folder, path in STATIC_SITES.items():
        if (src.parent / folder).is_dir():
            shutil.copytree(src.parent / folder, dest / path, ignore=shutil.ignore_patterns(*NOT_UPLOADED))
    return dest


def stage_console(build: Path, dest: Path, admin_api_url: str, user_pool_id: str, user_pool_client_id: str) -> Path:
    """The console's build under dest/console/, its config.js naming the deployed admin API and pool
    (no cognitoEndpoint: the library talks to the region's Cognito)."""
    if not (build / "index.html").is_file():
        raise FileNotFoundError(f"{build} has no index.html: run `make console`")
    target = dest / "console"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(build, target, ignore=shutil.ignore_patterns(*NOT_UPLOADED))
    config = {"adminApiUrl": normalize_url(admin_api_url), "userPoolId": user_pool_id,
              "userPoolClientId": user_pool_client_id, "cognitoEndpoint": "", "local": False, "currency": "EUR"}
    (target / "config.js").write_text(f"window.HUBCYCLE_CONSOLE_CONFIG = {json.dumps(config)};\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stage storefront/ with the deployed shop API URL in config.js")
    parser.add_argument("--shop-api-url", required=True)
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--admin-api-url", help="stage the console too, calling this admin API")
    parser.add_argument("--user-pool-id", default="")
    parser.add_argument("--user-pool-client-id", default="")
    parser.add_argument("--console-build", type=Path, default=CONSOLE_BUILD)
    args = parser.parse_args(argv)
    try:
        dest = stage(args.src, args.dest, args.shop_api_url)
        if args.admin_api_url:
            stage_console(args.console_build, dest, args.admin_api_url, args.user_pool_id, args.user_pool_client_id)
    except (ValueError, OSError) as error:
        print(f"storefront: {error}", file=sys.stderr)
        return 1
    print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
