"""The `ketacare` console script: Django's management commands under one name
(`ketacare serve`, `ketacare worker`, `ketacare demo`, `ketacare audit verify`, ...)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["ketacare", *argv])
    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
