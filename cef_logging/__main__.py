"""``python -m cef_logging`` and the ``cef-logging`` console script: see :mod:`.cli`."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cef-logging`` with ``argv`` (default: the process's arguments); return the status."""
    from .cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
