"""One router per app, mounted on the API. Add yours here."""

from ketacare.api.api import api
from ketacare.patients.api import router as patients_router

api.add_router("/patients", patients_router)
