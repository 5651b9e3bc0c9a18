"""The ``dangwu`` command: Django's management commands under the project's settings.

``dangwu demo``, ``dangwu generate``, ``dangwu rules …`` and every ``manage.py`` command.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dangwu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
