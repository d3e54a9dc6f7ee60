"""The ``fivestar`` command: a thin wrapper over Django's manage.py.

``fivestar demo``, ``fivestar serve``, ``fivestar worker`` and ``fivestar token`` are management
commands of the project; every other Django command works too (``fivestar migrate``…).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fivestar.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        # Settings read FIVESTAR_DEMO at import: the demo runs with DEBUG and local mail files.
        os.environ.setdefault("FIVESTAR_DEMO", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fivestar", *sys.argv[1:]])


if __name__ == "__main__":
    main()
