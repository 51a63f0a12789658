"""The shared writers are tested through the pages that use them, so these tests borrow the
treatment course and the ledger stock fixtures."""

from tests.ledger.conftest import stock  # noqa: F401
from tests.treatments.conftest import _long_idle_timeout, clock, course  # noqa: F401
