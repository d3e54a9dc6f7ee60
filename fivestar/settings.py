"""Settings for fivestar, read from the environment with safe defaults.

Every value an operator may need to change comes from an environment variable; nothing here
has to be edited to deploy. ``fivestar demo`` sets ``FIVESTAR_DEMO=1`` which turns on DEBUG and
the file-based mail backend.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("FIVESTAR_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else one generated once into ./var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEMO = _env_bool("FIVESTAR_DEMO")
DEBUG = _env_bool("DEBUG", default=DEMO)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "django_tasks_db",
    "axes",  # the sign-in lockout (fivestar.core.signin)
    "fivestar.core",
    "fivestar.accounts",
    "fivestar.customers",
    "fivestar.products",
    "fivestar.tickets",
    "fivestar.sla",
    "fivestar.notifications",
    "fivestar.dispatch",
    "fivestar.surveys",
    "fivestar.workspace",
    "fivestar.portal",
    "fivestar.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "fivestar.middleware.RejectNulMiddleware",
    "fivestar.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a locked-out sign-in into 429 (fivestar.core.signin.lockout_response).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fivestar.urls"
WSGI_APPLICATION = "fivestar.wsgi.application"
ASGI_APPLICATION = "fivestar.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fivestar.context.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# SQLite under ./var/ is the embedded default; DATABASE_URL=postgres://... for production.
_sqlite_path = VAR_DIR / "fivestar.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_sqlite_path}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: a statement a connection has run twice is kept parsed and planned
    # on the server. Planning the ticket page's eight-table join cost PostgreSQL ~7 ms a
    # request here, far more than running it; with this on, bench/intake.py measured the
    # database's CPU per ticket read falling from 9.7 to 0.9 ms and per intake from 4.1 to
    # 3.0 ms. DATABASE_SERVER_SIDE_BINDING=0 turns it off (e.g. behind a pooler in
    # transaction mode older than PgBouncer 1.21).
    if os.environ.get("DATABASE_SERVER_SIDE_BINDING", "1") != "0":
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=2
        )
    # No parallel workers for a request: a page is the first rows of an index walk, and a
    # parallel walk (Gather Merge) cannot return them before every worker has found a row of
    # its own or run out — bench/million.py measured a search for a day's ticket numbers at
    # 0.5 s with workers and 10 ms without, and a console at 1.9 s and 0.2 s. The requests of
    # several users already keep the cores busy. DATABASE_PARALLEL_WORKERS=N allows N (the
    # setting travels as a startup parameter; behind PgBouncer, list "options" in its
    # ignore_startup_parameters and set it for the role instead).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c max_parallel_workers_per_gather="
        + str(int(os.environ.get("DATABASE_PARALLEL_WORKERS", "0")))
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("FIVESTAR_TEST_SQLITE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------
if REDIS_URL := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Where rate limits count (fivestar/core/throttle.py): in the database every process shares, or
# in Redis when there is one. Never in the per-process local-memory cache.
THROTTLE_STORE = os.environ.get("THROTTLE_STORE", "cache" if REDIS_URL else "database")

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "home"
# One lockout for every sign-in form (admin, workspace, portal), by django-axes: after
# LOGIN_FAILURE_LIMIT failures of one account from one address it is refused from that address
# for LOGIN_FAILURE_WINDOW seconds, whatever the password. Counted in the database, which every
# server process shares (fivestar/core/signin.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", "900"))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "fivestar.core.signin.lockout_username"
AXES_CLIENT_IP_CALLABLE = "fivestar.core.signin.lockout_client_address"
AXES_LOCKOUT_CALLABLE = "fivestar.core.signin.lockout_response"
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
# empty: the client address is REMOTE_ADDR (fivestar/core/network.py).
TRUSTED_PROXIES = _env_list("TRUSTED_PROXIES")
# Shown to customers on every portal page and in messages.
SERVICE_HOTLINE = os.environ.get("SERVICE_HOTLINE", "400-000-0000")
# The address customers reach the portal at; links in SMS and e-mail are built on it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- customer portal ------------------------------------------------------------------------
# Links in SMS/e-mail stay valid this long; a link or a code opens a ticket in one browser
# for PORTAL_ACCESS_HOURS. Limits count per phone/ticket and per client address (see
# TRUSTED_PROXIES).
PORTAL_LINK_MAX_AGE_DAYS = int(os.environ.get("PORTAL_LINK_MAX_AGE_DAYS", "30"))
PORTAL_ACCESS_HOURS = int(os.environ.get("PORTAL_ACCESS_HOURS", "12"))
PORTAL_CODE_TTL_MINUTES = int(os.environ.get("PORTAL_CODE_TTL_MINUTES", "10"))
PORTAL_SUBMIT_LIMIT_PER_PHONE = int(os.environ.get("PORTAL_SUBMIT_LIMIT_PER_PHONE", "5"))
PORTAL_SUBMIT_LIMIT_PER_ADDRESS = int(os.environ.get("PORTAL_SUBMIT_LIMIT_PER_ADDRESS", "20"))
PORTAL_CODE_SEND_LIMIT = int(os.environ.get("PORTAL_CODE_SEND_LIMIT", "5"))
PORTAL_CODE_SEND_LIMIT_PER_ADDRESS = int(
    os.environ.get("PORTAL_CODE_SEND_LIMIT_PER_ADDRESS", "20"))
PORTAL_CODE_VERIFY_LIMIT = int(os.environ.get("PORTAL_CODE_VERIFY_LIMIT", "10"))
PORTAL_CODE_VERIFY_LIMIT_PER_ADDRESS = int(
    os.environ.get("PORTAL_CODE_VERIFY_LIMIT_PER_ADDRESS", "30"))
PORTAL_MAX_PHOTOS = int(os.environ.get("PORTAL_MAX_PHOTOS", "6"))

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at every start without it
STATICFILES_DIRS = [path for path in [BASE_DIR / "static"] if path.is_dir()]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Attachments: size limit and the content types accepted (checked from the bytes, not the name).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# HTTPS only, whenever DEBUG is off: plain HTTP is redirected, HSTS tells browsers never to
# use it again (this host and its subdomains), and the session and CSRF cookies are Secure.
# HTTPS_ONLY=0 turns all of it off, for a trial over plain HTTP on a private network. Behind a
# TLS-terminating proxy, the proxy sends X-Forwarded-Proto and `fivestar serve` believes it from
# FORWARDED_ALLOW_IPS (default TRUSTED_PROXIES, else 127.0.0.1).
HTTPS_ONLY = _env_bool("HTTPS_ONLY", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY

# --- background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- messages out ---------------------------------------------------------------------------
MAIL_DIR = VAR_DIR / "mail"
# Django 6.1 mailers. SMTP when EMAIL_HOST is set; otherwise each message is written as an .eml
# file under ./var/mail (what the demo and a trial want: nothing leaves the machine).
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _env_bool("EMAIL_USE_TLS", default=True),
                "use_ssl": _env_bool("EMAIL_USE_SSL"),
                "timeout": 30,
            },
        }
    }
else:
    _mail_backend = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
    )
    MAILERS = {
        "default": {
            "BACKEND": _mail_backend,
            "OPTIONS": {"file_path": str(MAIL_DIR)} if "filebased" in _mail_backend else {},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "fivestar <service@localhost>")
# SMS: "file" writes each message under ./var/sms; "http" posts to SMS_GATEWAY_URL with SMS_API_KEY.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "fivestar.notifications.sms.FileSmsBackend")
SMS_DIR = VAR_DIR / "sms"
# The shared secret of the inbound-SMS webhook (survey reply codes): empty turns it off.
SURVEY_SMS_WEBHOOK_SECRET = os.environ.get("SURVEY_SMS_WEBHOOK_SECRET", "")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))

# --- logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes logs each failed sign-in and lockout as a warning; its start-up notice is noise.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 25
NINJA_PAGINATION_MAX_LIMIT = 200

