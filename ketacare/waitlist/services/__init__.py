"""Writes to the waiting list, one module per workflow. Each is one transaction that checks
who may do it (`ketacare.core.policy`) and writes the audit row before it commits; emails
leave through the outbox once it has committed. A refusal is `ketacare.core.errors.Refusal`
with a stable `code`; something not there (or not the actor's) is `NotFound`.

A person's path (`signup`): sign up (pending_confirmation) → confirm their address (waiting,
with a place in the queue) → invited (`invitations`) → enrolled (a patient account and record
in the clinic). An invitation that expires puts them back to waiting with the place they had.
They may leave at any time: their personal data is then erased and only a non-identifying row
stays. Staff work the list on the board (`board`); admins set up programs (`programs`).
Reads (the queue, capacity, the board) are in `ketacare.waitlist.selectors`."""

from .board import add_note, clear_priority_override, remove, restore, set_priority_override
from .common import ENTRY, SIGNUP_FIELDS, normalise_email
from .invitations import (
    InviteRun,
    accept_invitation,
    check_invitation,
    expire_invitations,
    invite,
    invite_next,
    open_invitation,
)
from .programs import PROGRAM_FIELDS, rerank, update_program
from .signup import (
    SIGNUPS_CLOSED,
    ConfirmOutcome,
    SignupResult,
    confirm,
    leave,
    program_for_signups,
    signup,
    update_details,
)

__all__ = [
    "ENTRY", "PROGRAM_FIELDS", "SIGNUPS_CLOSED", "SIGNUP_FIELDS", "ConfirmOutcome", "InviteRun",
    "SignupResult", "accept_invitation", "add_note", "check_invitation",
    "clear_priority_override", "confirm", "expire_invitations", "invite", "invite_next",
    "leave", "normalise_email", "open_invitation", "program_for_signups", "remove", "rerank",
    "restore", "set_priority_override", "signup", "update_details", "update_program",
]  # fmt: skip
