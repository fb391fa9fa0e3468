"""The hub's one settings module, driven by the environment (12-factor).

With nothing set it runs on an embedded default (SQLite file, a Celery broker on the
filesystem, console email, DEBUG on) so that a newcomer's ``make run`` works. Setting
``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DEBUG=0`` switches
to a production configuration. Every variable is described in README.md.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HUB_VAR_DIR", BASE_DIR / "var"))
# Where the embedded default keeps its SQLite file, broker queue and cache.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_INSECURE_KEY = "django-insecure-embedded-default-only-for-local-use"
SECRET_KEY = os.environ.get("SECRET_KEY") or _INSECURE_KEY
if not DEBUG and SECRET_KEY == _INSECURE_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
HUB_NAME = os.environ.get("HUB_NAME", "Social Action Hub")
# The hub's public address, for links in emails; empty means "the address of the request".
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "simple_history",
    # The shared core (layer 0).
    "hubsite.people",
    "hubsite.framework",
    "hubsite.notify",
    "hubsite.privacy",
    # One app per area of the framework (layers 1 to 3).
    "listening",
    "connect",
    "strategy",
    "action",
    "reach",
    "leadership",
    "change",
    "organise",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header (SECURE_CSP, below) on every response.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a signed-in user unless it is marked @login_not_required
    # (the short public allow-list); roles are checked by each view's decorator.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change kept in the history tables (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "hubsite.people.middleware.StaffSecondFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "hubsite.urls"
# Only for the benchmark (bench/run.py): count each request's SQL queries in a response
# header, and serve its baseline page beside the hub's URLs. Never set in production.
if env_bool("HUB_BENCH", False):
    MIDDLEWARE.insert(0, "bench.middleware.QueryCountMiddleware")
    ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "hubsite.wsgi.application"
ASGI_APPLICATION = "hubsite.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "hubsite.context_processors.hub",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite file by default, anything dj-database-url understands otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'hub.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the worker's writes instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The hub asks short questions: PostgreSQL's JIT compiling only adds its own tens of
    # milliseconds (seconds at the benchmark's large scale) to the counts of big tables.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker and the cache when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis outage costs the hub its cache, not its pages (hubsite/cache.py).
            "BACKEND": "hubsite.cache.OutageTolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "hub"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: Redis when configured, else Kombu's filesystem transport, which needs no
# server, so that a real worker and beat run on the embedded default too.
CELERY_BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", VAR_DIR / "celery-broker"))
if REDIS_URL:
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
    # A Redis that hangs (its port open, no answer) must not hang the request publishing a
    # task: without a socket timeout the publish waits forever.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 3,
        "socket_timeout": 3,
    }
else:
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    for folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
# A request that queues a task must not hang on a broker outage: the outbox's beat tick
# retries whatever could not be queued.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Celery's own beat with the schedule here (no database scheduler is needed).
CELERY_BEAT_SCHEDULE = {
    "notify-deliver-pending": {
        "task": "hubsite.notify.tasks.outbox_deliver_pending",
        "schedule": crontab(minute="*/5"),
    },
    # Reminders of follow-ups due today, hourly from morning to late evening, so one added
    # late in the day is still reminded (each is sent once: a later tick finds it already
    # in the outbox).
    "listening-follow-ups-due": {
        "task": "listening.tasks.follow_ups_remind_due",
        "schedule": crontab(minute=10, hour="7-23"),
    },
    "connect-event-reminders": {
        "task": "connect.tasks.events_remind_due",
        "schedule": crontab(minute="*/15"),
    },
    "connect-event-follow-ups": {
        "task": "connect.tasks.events_follow_up_due",
        "schedule": crontab(minute=20),
    },
    # An update to supporters whose chain of batches broke (a worker lost) carries on.
    "action-updates-resume": {
        "task": "action.tasks.updates_resume_stalled",
        "schedule": crontab(minute="*/10"),
    },
    # Reflection prompts: each reaches a person once per period (a later tick sends nothing
    # more), so an hourly tick also reaches people who joined since the last one.
    "framework-prompts": {
        "task": "hubsite.framework.tasks.prompts_send_due",
        "schedule": crontab(minute=30),
    },
    # Organise: renewal reminders and the lapse of memberships not renewed, once a day each
    # (a membership is reminded once per term and lapses once); calls to action whose time
    # has come (and any whose chain of batches broke); reminders of decisions due review.
    "organise-renewal-reminders": {
        "task": "organise.tasks.membership.memberships_remind_renewal",
        "schedule": crontab(minute=0, hour=8),
    },
    "organise-lapse": {
        "task": "organise.tasks.membership.memberships_lapse",
        "schedule": crontab(minute=30, hour=2),
    },
    "organise-forget-unconfirmed-applications": {
        "task": "organise.tasks.membership.join_applications_forget",
        "schedule": crontab(minute=45, hour=2),
    },
    "organise-calls-due": {
        "task": "organise.tasks.calls.calls_send_due",
        "schedule": crontab(minute="*/5"),
    },
    "organise-decision-reviews": {
        "task": "organise.tasks.meetings.decisions_remind_review",
        "schedule": crontab(minute=15, hour=8),
    },
    # Data protection: staff are reminded of requests nearing their statutory deadline
    # (each reminder once), and the retention periods are applied every night.
    "privacy-requests-due": {
        "task": "hubsite.privacy.tasks.data_requests_remind",
        "schedule": crontab(minute=0, hour=9),
    },
    "privacy-retention": {
        "task": "hubsite.privacy.tasks.retention_apply",
        "schedule": crontab(minute=15, hour=3),
    },
    "privacy-sessions": {
        "task": "hubsite.privacy.tasks.sessions_clear_expired",
        "schedule": crontab(minute=40, hour=3),
    },
    "listening-follow-ups-overdue-digest": {
        "task": "listening.tasks.follow_ups_digest_overdue",
        "schedule": crontab(minute=0, hour=7),
    },
}

# Accounts: email is the login (django-allauth).
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# One address per account: a change replaces it once the new one is verified.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "hubsite.people.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{HUB_NAME}] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "5/h/ip,3/h/key",
    "confirm_email": "1/3m/key",
    # The hub's own public forms, limited by the same machinery (per client IP, IPv6 by /64,
    # behind TRUSTED_PROXY_COUNT proxies; "key" is the email address typed).
    "event_rsvp": "20/h/ip",
    "group_join": "10/h/ip",
    "contact_confirm": "30/h/ip",
    "campaign_signup": "10/h/ip,3/h/key",
    "actions_link": "10/h/ip,3/h/key",
    "story_link": "10/h/ip,3/h/key",
    "membership_join": "10/h/ip,3/h/key",
    "call_response": "30/h/ip",
}
# How many proxies in front of the hub add to X-Forwarded-For (rate limits need the client's
# address, not the proxy's); 0 reads the connection's own address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = HUB_NAME
# Staff must set up an authenticator app before using the hub (on by default in production).
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", not DEBUG)
SIGNUP_OPEN = env_bool("SIGNUP_OPEN", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Email (Django 6.1 mailers): console by default, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{HUB_NAME} <hub@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# A message waits in a signed cookie for the next page (the session only when it is too big):
# a visitor's public RSVP or sign-up then needs no database session at all. The cookie holds
# only what the next page shows that same browser, and is sent over HTTPS only.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# Production hardening: on whenever DEBUG is off (manage.py check --deploy is clean).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Everywhere, so that what development and the tests see is what production serves.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: htmx sends the token from the page (base.html).
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy, enforced in every environment (the browser tests fail on anything
# it blocks): scripts and styles only from the hub's own files, no inline code and no eval.
# The nonce is added to a response's header only when its page asked for one (the admin's few
# inline tags); the hub's own templates never need it.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Uploaded photos (a story's photo): the largest file accepted, and the most pixels Pillow
# decodes (beyond it a small file could take gigabytes of memory: a "decompression bomb").
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", 5 * 1024 * 1024))
PHOTO_MAX_PIXELS = 40_000_000

# No personal data in logs or error reports (hubsite/security.py): every handler masks email
# addresses, and an error report hides form values, cookies and local variables.
DEFAULT_EXCEPTION_REPORTER_FILTER = "hubsite.security.HubExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "hubsite.security.HubExceptionReporter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_emails": {"()": "hubsite.security.RedactEmailsFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_emails"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_emails"],
        },
        "mail_admins": {
            "level": "ERROR",  # errors only, as Django's default: never each 404 or 400
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "redact_emails"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own loggers reach the console through the root; their defaults are replaced
        # so that no handler without the mask is left.
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
# The Celery worker logs through the handlers above (with their mask) instead of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# How many rows a list page shows.
PAGE_SIZE = 25
# How long the dashboard keeps a person's figures (whole-table aggregates) before counting again.
DASHBOARD_FIGURES_SECONDS = int(os.environ.get("DASHBOARD_FIGURES_SECONDS", "60"))
