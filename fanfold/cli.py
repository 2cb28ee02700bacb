"""The `fanfold` command: Fanfold's own commands plus every Django management command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanfold.settings")
    from fanfold.core.env import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv or sys.argv)
    except ConfigError as exc:
        sys.stderr.write(f"fanfold: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
