"""KetaCare settings: every value from the environment (or an optional `.env`), with defaults
that give a working single-clinic install on a laptop (SQLite in `var/`, console email)."""

import os
import secrets
import tempfile
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

VAR_DIR = Path(env("KETACARE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/ (never committed)."""
    key = env("SECRET_KEY", default="")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Written whole and private (0600) under a temporary name, then linked into place:
        # of several processes starting at once, the first wins and all read the same key.
        staging = VAR_DIR / f".secret_key.{os.getpid()}"
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
        try:
            os.link(staging, path)
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links: a plain rename will do
            if not path.exists():
                os.replace(staging, path)
        finally:
            staging.unlink(missing_ok=True)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "ketacare.core",
    "ketacare.accounts",
    "ketacare.audit",
    "ketacare.patients",
    "ketacare.ledger",
    "ketacare.screening",
    "ketacare.protocols",
    "ketacare.treatments",
    "ketacare.waitlist",
    "ketacare.public",
    "ketacare.api",
    "ketacare.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who is asking and from where, for the audit rows the services write.
    "ketacare.core.context.AuditContextMiddleware",
    # A service's NotFound becomes the 404 page.
    "ketacare.core.views.DomainErrorMiddleware",
    # Before the idle-timeout middleware: it tells the signed-out user why.
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth (its error page shows the navigation), before any view reads input.
    "ketacare.web.middleware.RejectNulMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ketacare.accounts.middleware.IdleTimeoutMiddleware",
    "ketacare.accounts.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: it must see the authenticated user and answer lockouts from the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketacare.urls"
WSGI_APPLICATION = "ketacare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketacare.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite in var/ by default (WAL, IMMEDIATE transactions so writers queue
# instead of failing with "database is locked"); PostgreSQL when DATABASE_URL says so.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ketacare.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        }
    )
    # Keep each worker's connection open between requests: opening one runs the PRAGMAs
    # above, and closing the last one makes SQLite checkpoint its WAL (an fsync) — together
    # over 10 ms a request, more than most pages cost.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=600))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Tests use a file, not an in-memory database: concurrency tests need real connections
    # from several threads, which SQLite's shared-cache memory mode does not give. One file
    # per test process, so parallel runs never share one.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(Path(tempfile.gettempdir()) / f"ketacare-test-{os.getpid()}.sqlite3")
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24 * 3)

# HIPAA automatic log-off: staff sessions end after this many idle minutes.
STAFF_IDLE_TIMEOUT_MINUTES = env.int("STAFF_IDLE_TIMEOUT_MINUTES", default=15)
PATIENT_IDLE_TIMEOUT_MINUTES = env.int("PATIENT_IDLE_TIMEOUT_MINUTES", default=60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# MFA: staff must enrol a TOTP device from their second login on.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="KetaCare")
MFA_REQUIRED_FROM_LOGIN = env.int("MFA_REQUIRED_FROM_LOGIN", default=2)

# Lockout (django-axes): 5 failures for one account from one address, 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The same client address as the audit log (honours NUM_PROXIES behind a proxy).
AXES_CLIENT_IP_CALLABLE = "ketacare.core.context.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# --- Email: console by default, SMTP when EMAIL_URL or EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="KetaCare <no-reply@ketacare.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# --- Background work (Huey): SQLite file in var/ by default, Redis when REDIS_URL is set.
REDIS_URL = env("REDIS_URL", default="")
HUEY_IMMEDIATE = env.bool("HUEY_IMMEDIATE", default=False)
# SIGTERM (what systemd, Docker and `ketacare serve` send) lets running tasks finish, for
# up to HUEY_SHUTDOWN_TIMEOUT seconds; a second signal or SIGINT stops at once.
HUEY_CONSUMER = {
    "workers": env.int("HUEY_WORKERS", default=2),
    "worker_type": "thread",
    "graceful_signal": "TERM",
    "shutdown_timeout": env.int("HUEY_SHUTDOWN_TIMEOUT", default=30),
}
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env("HUEY_NAME", default="ketacare"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": HUEY_CONSUMER,
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env("HUEY_NAME", default="ketacare"),
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": HUEY_CONSUMER,
    }
    # One cache shared by every gunicorn worker on this machine (rate limits, lockouts).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Public site and waiting list
# The clinic the public pages, contact form and waiting list speak for (its slug); empty
# means the first clinic created (a single-clinic install needs nothing here).
PUBLIC_CLINIC = env("PUBLIC_CLINIC", default="")
# The site's address, for links in emails sent outside a request (scheduled invitations).
SITE_URL = env("SITE_URL", default="http://localhost:8000")
# The program public sign-ups join (created with defaults on the first sign-up).
WAITLIST_PROGRAM = env("WAITLIST_PROGRAM", default="home")
# Sign-ups per client address: "N/s|m|h|d", or "off" (benchmarks only).
WAITLIST_RATE_LIMIT = env("WAITLIST_RATE_LIMIT", default="10/h")
WAITLIST_CONFIRM_HOURS = env.int("WAITLIST_CONFIRM_HOURS", default=72)
# Default validity of invitation links for new programs (each program can change it).
WAITLIST_INVITATION_DAYS = env.int("WAITLIST_INVITATION_DAYS", default=7)
WAITLIST_MAX_BODY_BYTES = env.int("WAITLIST_MAX_BODY_BYTES", default=16 * 1024)
# Let the worker invite the next people every Monday morning (otherwise staff do it).
WAITLIST_AUTO_INVITE = env.bool("WAITLIST_AUTO_INVITE", default=False)
CONTACT_RATE_LIMIT = env("CONTACT_RATE_LIMIT", default="5/h")
# Where contact-form messages are emailed; empty means the clinic's administrators.
CLINIC_CONTACT_EMAIL = env("CLINIC_CONTACT_EMAIL", default="")

# --- Internationalisation
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files (WhiteNoise), no CDN at run time.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)

# --- Request limits: bodies larger than this get a clear 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Security headers and cookies
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "ketacare.web.views.csrf_failure"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # Behind a TLS-terminating proxy (the production shape), trust its scheme header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Client address for the audit log: REMOTE_ADDR, or the n-th address from the right of
# X-Forwarded-For when that many trusted proxies stand in front.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Demo users (`ketacare demo`) skip MFA so a first look needs no phone.
DEMO_EMAIL_DOMAIN = "demo.ketacare"

# --- Controlled-substance ledger: refuse administration and dispensing from a location until
# that day's opening count there is done (the default for clinics; each clinic's admin may
# change it on the ledger settings page).
LEDGER_REQUIRE_OPENING_COUNT = env.bool("LEDGER_REQUIRE_OPENING_COUNT", default=True)
