"""One router per app, mounted on the API (`ketacare.urls` serves `api` from here, so it
always has every router). Add yours here."""

from ketacare.api.api import api
from ketacare.api.me import router as me_router
from ketacare.patients.api import router as patients_router

api.add_router("", me_router)
api.add_router("/patients", patients_router)
from ketacare.api.clinical import dosing_router, instruments_router  # noqa: E402

api.add_router("/instruments", instruments_router)
api.add_router("/dosing", dosing_router)
from ketacare.waitlist.api import router as waitlist_router  # noqa: E402

api.add_router("/waitlist", waitlist_router)
from ketacare.ledger.api import router as ledger_router  # noqa: E402

api.add_router("/ledger", ledger_router)
from ketacare.screening.api import assessments_router, decisions_router  # noqa: E402

api.add_router("/assessments", assessments_router)
api.add_router("/screening", decisions_router)
from ketacare.protocols.api import router as protocols_router  # noqa: E402
from ketacare.treatments.api import router as treatments_router  # noqa: E402

api.add_router("/protocols", protocols_router)
api.add_router("/treatments", treatments_router)

__all__ = ["api"]
