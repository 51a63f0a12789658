"""Errors for malformed dosing arguments. A clinically unsafe dose is never an error: it is
a decision with reasons."""


class DosingError(ValueError):
    """An argument is malformed (naive datetime, negative weight, bad vitals type...)."""


class UnknownProtocol(DosingError, LookupError):
    """No default protocol has this code."""
