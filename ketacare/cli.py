"""The `ketacare` console script: Django's management commands under one name
(`ketacare serve`, `ketacare worker`, `ketacare demo`, `ketacare audit verify`, ...).

Every command runs in `audit_context(path="cli:<command> <args>")`, so each audit row a
command writes (demo data, ledger reports, waiting-list invitations...) says where it came
from, with no command having to set it."""

import os
import sys

# The audit row's `path` column holds at most this many characters.
PATH_LENGTH = 300


def cli_path(args: list[str]) -> str:
    """`cli:` and the command line after the program name, e.g. "cli:ledger verify"."""
    return f"cli:{' '.join(args[1:])}"[:PATH_LENGTH]


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    from django.core.management import execute_from_command_line

    from ketacare.core.context import audit_context

    args = list(sys.argv if argv is None else ["ketacare", *argv])
    if len(args) == 1:
        args.append("help")
    with audit_context(path=cli_path(args)):
        execute_from_command_line(args)


if __name__ == "__main__":
    main()
