"""The demo hub `make run` loads through the admin API, as a hub manager would set it up."""
from __future__ import annotations


def load_demo(system) -> list[str]:
    return ["  demo hub: not loaded yet (the admin API is being built)"]
