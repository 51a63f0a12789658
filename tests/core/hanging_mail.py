"""An email backend for the outbox's crash test, used by a real `ketacare worker`: each
message becomes one file in $OUTBOX_TEST_MAIL_DIR; the message that would be number
$OUTBOX_TEST_HANG_AT hangs instead, before it is written (a mail server that stops answering
mid-conversation), once: a `hung` file marks that it happened."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        directory = Path(os.environ["OUTBOX_TEST_MAIL_DIR"])
        hang_at = int(os.environ.get("OUTBOX_TEST_HANG_AT", "0"))
        for message in email_messages:
            if len(list(directory.glob("*.eml"))) + 1 == hang_at:
                try:
                    os.close(os.open(directory / "hung", os.O_CREAT | os.O_EXCL))
                except FileExistsError:
                    pass  # hung once already: this time the server answers
                else:
                    time.sleep(3600)  # until the test kills the worker
            path = directory / f"{uuid.uuid4().hex}.eml"
            path.write_bytes(message.message().as_bytes())
        return len(email_messages)
