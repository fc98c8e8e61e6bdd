"""Use cases: each loads what it needs through the repositories, applies the domain rules and
saves. Handlers call these and nothing below them."""
