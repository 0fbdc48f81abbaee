"""Whether the tests run on CI, where a missing tool is a failure rather than a skip."""

from __future__ import annotations

import os


def on_ci() -> bool:
    """``CI`` is set to anything but empty, ``0`` or ``false`` (any case)."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false")
