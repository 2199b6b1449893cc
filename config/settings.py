"""The one settings module. Every deployment difference comes from environment variables."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SEISAN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("SEISAN_DEBUG", False)
SECRET_KEY = env_secret("SEISAN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("SEISAN_REQUIRE_SECRET_KEY", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SEISAN_SECRET_KEY must be set in production.")
    SECRET_KEY = "seisan-insecure-development-key-change-me"  # noqa: S105 - dev/embedded default only

ALLOWED_HOSTS = env_list("SEISAN_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SEISAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "people",
    "expenses",
    "approvals",
    "accounting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.CompanyLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "approvals.context_processors.pending_approvals",
            ],
        },
    },
]

# Database: SQLite under var/ when DATABASE_URL is unset (the embedded default of `make run`).
DATABASE_URL = env_secret("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("SEISAN_DB_CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default must start from an empty checkout
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "seisan.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "expenses:claim-list"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Japanese by default, English available.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("SEISAN_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "files")},
    },
    # Receipts are private: no base_url, served only through access-checked views.
    "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("SEISAN_RECEIPTS_DIR", str(VAR_DIR / "receipts")), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("SEISAN_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = True
# No public media: receipts are served only by access-checked views. A dummy prefix keeps test servers happy.
MEDIA_URL = "/no-public-media/"
MEDIA_ROOT = VAR_DIR / "no-public-media"

# Security defaults; TLS-terminating proxies set SEISAN_SECURE_PROXY=true.
if env_bool("SEISAN_SECURE_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail: console by default (notifications are Japanese templates).
EMAIL_BACKEND = env_str("SEISAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("SEISAN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SEISAN_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("SEISAN_DEFAULT_FROM_EMAIL", "seisan@localhost")

# Django REST framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.StandardPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Seisan API",
    "DESCRIPTION": "Expense claims, receipts, approvals and accounting for Japanese companies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport (no server needed).
REDIS_URL = env_secret("REDIS_URL", "")
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": env_str("SEISAN_REDIS_PREFIX", "")}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_QUEUE_DIR / 'results'}"
    for _folder in ("queue", "processed", "control", "results"):  # kombu does not create them
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_TIME_LIMIT = env_int("SEISAN_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("SEISAN_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("SEISAN_WORKER_MAX_TASKS_PER_CHILD", 50, minimum=1)
# Publishing must fail fast when the broker is down: the row is already committed and a sweeper re-queues.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("SEISAN_BROKER_CONNECTION_TIMEOUT", 3, minimum=1)
CELERY_TASK_PUBLISH_RETRY = False

# Seisan itself
SEISAN_BASE_URL = env_str("SEISAN_BASE_URL", "http://localhost:8000")  # links in e-mails
SEISAN_COMPANY_NAME = env_str("SEISAN_COMPANY_NAME", "株式会社サンプル")
SEISAN_CLAIM_NUMBER_PREFIX = env_str("SEISAN_CLAIM_NUMBER_PREFIX", "EX")
SEISAN_MAX_LINE_AMOUNT = env_int("SEISAN_MAX_LINE_AMOUNT", 10_000_000, minimum=1)
SEISAN_MAX_LINES_PER_CLAIM = env_int("SEISAN_MAX_LINES_PER_CLAIM", 200, minimum=1)
SEISAN_OCR_LANGS = env_str("SEISAN_OCR_LANGS", "jpn+eng")
SEISAN_RECEIPT_MAX_BYTES = env_int("SEISAN_RECEIPT_MAX_MB", 20, minimum=1) * 1024 * 1024
SEISAN_RECEIPT_MAX_PIXELS = env_int("SEISAN_RECEIPT_MAX_MEGAPIXELS", 40, minimum=1) * 1_000_000
SEISAN_OCR_STUCK_MINUTES = env_int("SEISAN_OCR_STUCK_MINUTES", 15, minimum=1)
SEISAN_OCR_REQUEUE_MINUTES = env_int("SEISAN_OCR_REQUEUE_MINUTES", 2, minimum=1)
# A receipt whose reading killed the worker this many times (out of memory, a Tesseract crash, the
# hard time limit) is marked failed for manual entry instead of being queued again forever.
SEISAN_OCR_MAX_ATTEMPTS = env_int("SEISAN_OCR_MAX_ATTEMPTS", 3, minimum=1)
# Journal exports (private files, never served publicly) and the size above which they run on the worker.
SEISAN_EXPORTS_DIR = env_str("SEISAN_EXPORTS_DIR", str(VAR_DIR / "exports"))
SEISAN_EXPORT_ASYNC_ENTRIES = env_int("SEISAN_EXPORT_ASYNC_ENTRIES", 10_000, minimum=1)
# A batch still BUILDING this long after it was queued is queued again (the worker may have died).
SEISAN_EXPORT_REQUEUE_MINUTES = env_int("SEISAN_EXPORT_REQUEUE_MINUTES", 10, minimum=1)
# Large exports are formatted by this many processes at once (default: one per core this process may use),
# each taking a part of at least SEISAN_EXPORT_PART_ENTRIES entries.
SEISAN_EXPORT_WORKERS = env_int("SEISAN_EXPORT_WORKERS", len(os.sched_getaffinity(0)), minimum=1)
SEISAN_EXPORT_PART_ENTRIES = env_int("SEISAN_EXPORT_PART_ENTRIES", 50_000, minimum=1)
# Transit fares (formats.md §9): route search is off unless an administrator picks a provider with a key.
SEISAN_FARE_PROVIDER = env_choice("SEISAN_FARE_PROVIDER", "null", ("null", "ekispert"))
SEISAN_EKISPERT_API_KEY = env_secret("SEISAN_EKISPERT_API_KEY", "")
SEISAN_EKISPERT_TIMEOUT = env_int("SEISAN_EKISPERT_TIMEOUT", 5, minimum=1)
if SEISAN_FARE_PROVIDER == "ekispert" and not SEISAN_EKISPERT_API_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SEISAN_FARE_PROVIDER=ekispert needs SEISAN_EKISPERT_API_KEY.")
# The "claim period" for transit lines: a trip may not be in the future nor older than this many days.
SEISAN_TRANSIT_MAX_AGE_DAYS = env_int("SEISAN_TRANSIT_MAX_AGE_DAYS", 180, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_choice("SEISAN_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
}
