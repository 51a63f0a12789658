"""The audit context for the Huey worker: each task runs in its own
`audit_context(path="worker:<task name>")`, set by a pre-execute hook and lifted by a
post-execute hook, so that no task needs to set it and every audit row a task writes says
where it came from. A task inherits nothing (actor, IP) from whoever queued it, in the worker
as in immediate mode."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from .context import audit_context

_STACK = "_ketacare_audit_context"


def enter_task(task: Any) -> None:
    stack = ExitStack()
    stack.enter_context(audit_context(path=f"worker:{task.name}", fresh=True))
    setattr(task, _STACK, stack)


def leave_task(task: Any, task_value: Any, exc: BaseException | None) -> None:
    stack: ExitStack | None = getattr(task, _STACK, None)
    if stack is not None:
        delattr(task, _STACK)
        stack.close()


def register(huey: Any) -> None:
    """Hook the audit context into `huey` (from CoreConfig.ready; hooks are kept by name, so
    registering twice changes nothing)."""
    huey.pre_execute("ketacare_audit_context")(enter_task)
    huey.post_execute("ketacare_audit_context")(leave_task)
