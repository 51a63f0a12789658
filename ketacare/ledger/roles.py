"""Who may do what in the ledger, as role sets for ketacare.accounts.permissions' helpers
(`role_required`, `has_role`): the one permission mechanism, with the ledger's own table."""

from ketacare.accounts.models import Role

# Record receipts, transfers, administrations, waste, counts, returns, disposals, losses.
LEDGER_STAFF = frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})
# Dispense for home use: a prescriber's act.
DISPENSERS = frozenset({Role.PRESCRIBER})
# Reports, exports, per-staff summary and the read-only API.
LEDGER_READERS = frozenset({Role.PRESCRIBER, Role.ADMIN})
# Products, locations, settings, investigations, loss-case follow-up.
LEDGER_ADMINS = frozenset({Role.ADMIN})
# Who may witness a waste or be the second counter.
WITNESS_ROLES = LEDGER_STAFF
