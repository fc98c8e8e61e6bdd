"""`make run`: the whole system on this machine, with a demo hub, until Ctrl-C."""
from __future__ import annotations

import argparse
import logging
import signal
import threading

from hubcycle.local.system import LocalSystem, Ports, announce_running, withdraw_running


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hubcycle.local", description=__doc__)
    parser.add_argument("--no-demo", action="store_true", help="start empty, without the demo hub")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    system = LocalSystem(Ports.from_environment()).start()
    announce_running(system)
    demo_lines: list[str] = []
    if not args.no_demo:
        from hubcycle.local.demo import load_demo

        demo_lines = load_demo(system)
    print(
        "\nhubcycle is running locally (embedded AWS: moto server, no account, no network)\n"
        f"  storefront     {system.storefront_url}/\n"
        f"  console        {system.console_url}\n"
        f"  shop API       {system.shop_url}/\n"
        f"  admin API      {system.admin_url}/\n"
        f"  local mailbox  {system.mailbox_url}\n"
        f"  embedded AWS   {system.aws_endpoint}\n"
        "  a token:       .venv/bin/python -m hubcycle.dev token you@example.org\n",
        *demo_lines,
        "\nCtrl-C stops everything.",
        sep="\n",
        flush=True,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        withdraw_running()
        system.stop()
        print("hubcycle stopped.")


if __name__ == "__main__":
    main()
