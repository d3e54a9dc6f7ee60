"""A worker process for ``test_workers``: sets Django up, says it is ready, waits for the go
signal, then runs ``fivestar worker --once`` (every sweep once, then the due tasks).

    python tests/sla/sweep_worker.py READY_FILE GO_FILE

Waiting for the signal lines both processes up on the same moment, whatever their start-up
time, so their sweeps really overlap.
"""

import os
import sys
import time
from pathlib import Path

WAIT_SECONDS = 120


def main() -> None:
    ready, go = Path(sys.argv[1]), Path(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fivestar.settings")
    import django

    django.setup()
    from django.core.management import call_command

    ready.touch()
    give_up = time.monotonic() + WAIT_SECONDS
    while not go.exists():
        if time.monotonic() > give_up:
            sys.exit("no go signal")
        time.sleep(0.005)
    call_command("worker", once=True)


if __name__ == "__main__":
    main()
