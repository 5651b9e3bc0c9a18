"""One settings module, driven by environment variables (each listed in .env.example).

Development defaults just work (SQLite under var/, DEBUG on); production values are
those that ``manage.py check --deploy`` accepts.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
VAR_DIR = Path(os.environ.get("DANGWU_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("生产环境必须设置环境变量 SECRET_KEY（至少 50 个随机字符）。")
    SECRET_KEY = "dev-only-insecure-key-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "simple_history",
    "axes",
    "django_htmx",
    "template_partials",
    "csp",
    "dangwu.core",
    "dangwu.accounts",
    "dangwu.orgs",
    "dangwu.members",
    "dangwu.dues",
    "dangwu.development",
    "dangwu.meetings",
    "dangwu.groupwork",
    "dangwu.notifications",
    "django_tasks",
    "django_tasks_db",
    "dangwu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangwu.urls"
WSGI_APPLICATION = "dangwu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dangwu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangwu.notifications.context.unread",
            ],
        },
    }
]

# SQLite by default (WAL, immediate transactions); PostgreSQL through DATABASE_URL.
_default_sqlite = f"sqlite:///{VAR_DIR / 'dangwu.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): 5 failures for one user name from one address → 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "dangwu" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
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
# WhiteNoise serves static files; in development straight from the apps (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security. HTTPS settings follow DEBUG unless set explicitly (an intranet without TLS sets
# DANGWU_HTTPS=0 and accepts the check --deploy warnings that follow).
HTTPS = env_bool("DANGWU_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DANGWU_BEHIND_PROXY", False) else None
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# W021 (HSTS preload): intranet host names cannot join the browsers' public preload list.
# An intranet served over plain HTTP says so explicitly; then the HTTPS warnings are expected.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if not HTTPS and env_bool("DANGWU_ALLOW_HTTP", False):
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dangwu@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Dangwu's own settings: local policies ([local] rules of DOMAIN.md) and limits.
DANGWU = {
    # REL-LETTER [local]: default and maximum validity of an introduction letter, in days.
    "LETTER_VALID_DAYS_DEFAULT": int(os.environ.get("DANGWU_LETTER_VALID_DAYS", "30")),
    "LETTER_VALID_DAYS_MAX": 90,
    # GRP-LEADER-CHOICE [local, seed 004]: designation needs one of the three reasons.
    "GROUP_DESIGNATION_REQUIRES_REASON": env_bool("DANGWU_GROUP_DESIGNATION_REQUIRES_REASON", True),
    # Roster import limits: bounded work per upload.
    "IMPORT_MAX_ROWS": int(os.environ.get("DANGWU_IMPORT_MAX_ROWS", "100000")),
    "IMPORT_MAX_BYTES": int(os.environ.get("DANGWU_IMPORT_MAX_BYTES", str(40 * 1024 * 1024))),
    "PAGE_SIZE": 30,
    # DUES-* [local] policy (dues.rules.DuesSettings): rounding unit (0.01 fen / 0.10 jiao),
    # the month the base is set each year, and when arrears start to warn.
    "DUES": {
        "rounding_unit": os.environ.get("DANGWU_DUES_ROUNDING_UNIT", "0.01"),
        "base_change_month": int(os.environ.get("DANGWU_DUES_BASE_MONTH", "1")),
        "base_fixed_within_year": env_bool("DANGWU_DUES_BASE_FIXED_WITHIN_YEAR", True),
        "arrears_warning_months": int(os.environ.get("DANGWU_DUES_ARREARS_WARNING_MONTHS", "3")),
    },
    # LIFE-* [local] policy (meetings.rules.ComplianceSettings): party lectures a quarter, the
    # secretary's lectures a year, heart talks a year, and when absence starts to warn.
    "MEETINGS": {
        "lectures_per_quarter": int(os.environ.get("DANGWU_LECTURES_PER_QUARTER", "1")),
        "secretary_lectures_per_year": int(
            os.environ.get("DANGWU_SECRETARY_LECTURES_PER_YEAR", "1")
        ),
        "heart_talks_per_year": int(os.environ.get("DANGWU_HEART_TALKS_PER_YEAR", "1")),
        "absence_warning_months": int(os.environ.get("DANGWU_ABSENCE_WARNING_MONTHS", "3")),
        # Above this many branches a committee's compliance table reads the daily tallies.
        "live_table_limit": int(os.environ.get("DANGWU_COMPLIANCE_LIVE_LIMIT", "2000")),
        # Minutes of self sign-in links stay valid after they are opened.
        "signin_minutes": int(os.environ.get("DANGWU_SIGNIN_MINUTES", "120")),
    },
    # DEV-* [local] policy (development.context.DevelopmentSettings): months from the
    # application to the activist (0 = no minimum), working days of the publicity notice
    # (0 = none), the age up to which a League member is recommended through 推优, whether a
    # thought report is due each quarter, and the months after which an admission is redone.
    "DEVELOPMENT": {
        "app_to_activist_months": int(os.environ.get("DANGWU_DEV_APP_TO_ACTIVIST_MONTHS", "6")),
        "publicity_working_days": int(os.environ.get("DANGWU_DEV_PUBLICITY_WORKING_DAYS", "5")),
        "league_age": int(os.environ.get("DANGWU_DEV_LEAGUE_AGE", "28")),
        "thought_report_quarterly": env_bool("DANGWU_DEV_THOUGHT_REPORT_QUARTERLY", True),
        "approval_redo_months": int(os.environ.get("DANGWU_DEV_APPROVAL_REDO_MONTHS", "6")),
    },
    # Reminders (notifications.services, `dangwu worker`): the hour of the daily run, e-mail
    # even when EMAIL_BACKEND is not SMTP (a relay backend), and the address for e-mail links.
    "REMINDERS": {
        "hour": int(os.environ.get("DANGWU_REMINDER_HOUR", "7")),
        "email": env_bool("DANGWU_REMINDER_EMAIL", False),
        "base_url": os.environ.get("DANGWU_BASE_URL", ""),
    },
}

# Background jobs (reminders): Django's tasks API through the django-tasks backport, stored
# in the database and run by `dangwu worker`. No broker to run on a single machine.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("DANGWU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
