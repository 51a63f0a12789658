"""One router per app, mounted on the API. Add yours here."""

from ketacare.api.api import api
from ketacare.patients.api import router as patients_router

api.add_router("/patients", patients_router)
from ketacare.api.clinical import dosing_router, instruments_router  # noqa: E402

api.add_router("/instruments", instruments_router)
api.add_router("/dosing", dosing_router)
