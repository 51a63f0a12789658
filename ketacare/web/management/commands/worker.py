"""`ketacare worker`: one Huey consumer for the background tasks (emails, reminders, exports).

The consumer options come from settings.HUEY["consumer"] (workers, worker type, graceful
signal, shutdown timeout); an option given on the command line wins. SIGTERM lets running
tasks finish (see settings.HUEY_CONSUMER); a second SIGTERM or a SIGINT stops at once."""

import logging
from typing import Any

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHueyCommand


class Command(RunHueyCommand):
    help = (
        "Run the background task consumer (Huey) with the options in settings.HUEY. "
        "`ketacare serve` starts one beside the web server; run more with this command."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # The consumer gives the "huey" logger its own handler; without this every line
        # would be printed twice, once more through the root logger.
        logging.getLogger("huey").propagate = False
        super().handle(*args, **options)
