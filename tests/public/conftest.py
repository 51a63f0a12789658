import pytest


@pytest.fixture(autouse=True)
def _public_settings(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "public-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()
    settings.CONTACT_RATE_LIMIT = "off"
    settings.WAITLIST_RATE_LIMIT = "off"
    settings.CLINIC_CONTACT_EMAIL = ""
    settings.PUBLIC_CLINIC = ""
