"""Shared infrastructure every app uses the same way: domain errors, the permission policy,
the audit context, the email outbox, rate limits, password re-entry, CSV and PDF writers."""
