"""Settings for Dangjian, driven by environment variables.

Defaults give a working single-machine install (SQLite in WAL mode, local-memory cache) so that
`make run` works on a fresh machine. DATABASE_URL switches to PostgreSQL; REDIS_URL switches the
cache (and, with later modules, the channel layer and task queue) to Redis.
"""

import hashlib
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", BASE_DIR / "var"))


def _secret_key() -> str:
    """The key comes from DJANGO_SECRET_KEY, or from the file DJANGO_SECRET_KEY_FILE names.

    When neither is set (a developer's first `make run`), a random key is generated once into
    var/secret_key so that sessions survive restarts.
    """
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    key_file = Path(os.environ.get("DJANGO_SECRET_KEY_FILE", VAR_DIR / "secret_key"))
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _field_encryption_key() -> bytes:
    """32 bytes that encrypt sensitive fields (members' ID-card numbers, core/fieldcrypt.py), never stored in the
    database: FIELD_ENCRYPTION_KEY (64 hex digits), or the file FIELD_ENCRYPTION_KEY_FILE names, generated once
    into var/field_key on a developer's first `make run`. Back it up apart from the database: without it the
    encrypted fields cannot be read."""
    if os.environ.get("FIELD_ENCRYPTION_KEY"):
        return bytes.fromhex(os.environ["FIELD_ENCRYPTION_KEY"])
    key_file = Path(os.environ.get("FIELD_ENCRYPTION_KEY_FILE", VAR_DIR / "field_key"))
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return bytes.fromhex(key_file.read_text().strip())


FIELD_ENCRYPTION_KEY = _field_encryption_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# A form refused for its CSRF token is answered by a Chinese page with a way back, not Django's English one.
CSRF_FAILURE_VIEW = "dangjian.organizations.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    # Our apps, ground floor first: an app comes after the apps it builds on (the demo county asks each
    # app's demo.py for its part in this order, so organizations makes the tree before accounts).
    "dangjian.core",
    "dangjian.organizations",
    "dangjian.accounts",
    "dangjian.console",
    "dangjian.policies",
    "dangjian.notifications",
    "dangjian.feedback",
    "dangjian.supervision",
    "dangjian.members",
    "dangjian.meetings",
    "dangjian.publishing",
    "dangjian.learning",
    "dangjian.exchange",
    "dangjian.analytics",
    "dangjian.demo",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database outage met by a view answers a Chinese 503 page, forms kept (core/outage.py).
    "dangjian.core.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Old links to a merged or closed organization's portal redirect (301) to where its pages now are.
    "dangjian.organizations.middleware.ClosedOrganizationRedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An account made with a one-time password changes it before anything else in the console.
    "dangjian.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dangjian.supervision.keys.UnlockCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
# Required fields marked "*" on every form, and choice chips (dangjian/core/forms.py).
FORM_RENDERER = "dangjian.core.forms.Renderer"
WSGI_APPLICATION = "dangjian.wsgi.application"

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
                "dangjian.core.context_processors.display_preferences",
                "dangjian.console.context_processors.console_menu",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections are checked before each request reuses them, so one that died with a
    # database restart is replaced at once instead of failing a request; a connection attempt gives
    # up after DATABASE_CONNECT_TIMEOUT seconds, so an unreachable server cannot hold a web worker.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
    # A streaming replica of the primary: GET pages read from it (core/replica.py), everything else from the
    # primary. Reads after a write (in the request, and for REPLICA_PIN_SECONDS after it for the same visitor)
    # and the apps below always read from the primary; a replica that does not answer is left alone for
    # REPLICA_RETRY_SECONDS.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
        DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("REPLICA_CONNECT_TIMEOUT", 2)
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
        DATABASE_ROUTERS = ["dangjian.core.replica.ReplicaRouter"]
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "dangjian.sqlite3")),
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets readers proceed while one writer writes; IMMEDIATE avoids
                # "database is locked" on lock upgrades under concurrent writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Tests use a file, not memory, so that a separate worker process can share it.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", str(VAR_DIR / "test-dangjian.sqlite3"))},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 15)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 10)
REPLICA_PRIMARY_APPS = {"accounts", "sessions", "django_tasks_db", "axes", "otp_totp", "otp_static", "core"}
if "replica" in DATABASES:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("dangjian.core.outage.DatabaseOutageMiddleware"), "dangjian.core.replica.ReplicaMiddleware"
    )

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# "default" holds what a process may keep to itself (cached public pages); "limits" holds the counters
# that protect accounts and reporters (sign-in limits, guessing of receipts and query passwords), which
# every web worker must see, or each of N workers would allow N times the tries. They are never written
# to the database (they hold keyed hashes of client addresses): Redis when REDIS_URL is set, otherwise
# files in memory (/dev/shm, a tmpfs), shared by the web workers of this machine.
LIMITS_CACHE = "limits"
# "shared" holds what every process must read alike and at once: the content generation that keys the cached
# public pages (core/cache.py), so that a change saved through one worker or server stops every other one serving
# the page as it was. Redis with REDIS_URL (several servers), else files in memory like the limits (one machine).
SHARED_CACHE = "shared"


def _limits_dir() -> str:
    configured = os.environ.get("LIMITS_CACHE_DIR", "")
    if configured:
        return configured
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir()  # noqa: S108
    tag = hashlib.sha256(str(VAR_DIR).encode()).hexdigest()[:12]
    return os.path.join(base, f"dangjian-limits-{os.getuid()}-{tag}")


CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        LIMITS_CACHE: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "limits",
        },
        SHARED_CACHE: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shared",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}},
        LIMITS_CACHE: {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": _limits_dir(),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
        SHARED_CACHE: {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": _limits_dir() + "-shared",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
    }

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "dangjian.accounts.throttle.SignInLimitBackend",  # sign-in limits first (django-axes, django-ratelimit)
    "dangjian.accounts.backends.UsernameOrMobileBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:dashboard"
LOGOUT_REDIRECT_URL = "orgs:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "dangjian.accounts.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "dangjian.accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "dangjian.accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "dangjian.accounts.password_validation.NumericPasswordValidator"},
]
# Sign-in limits (dangjian/accounts/throttle.py). Per account, whatever identifier is typed: after
# LOGIN_FAILURE_LIMIT failures a pause of LOGIN_LOCKOUT_SECONDS, doubled for each further pause within
# a day, at most LOGIN_LOCKOUT_MAX_SECONDS. Per client address: LOGIN_ADDRESS_FAILURE_LIMIT failures an
# hour over all accounts. Counts live only in the shared "limits" cache (Redis, or files in memory).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 8)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
LOGIN_LOCKOUT_MAX_SECONDS = env_int("LOGIN_LOCKOUT_MAX_SECONDS", 4 * 60 * 60)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
# The request META key holding the client's address (REMOTE_ADDR; behind nginx e.g. HTTP_X_REAL_IP),
# read by core.throttle.client_address for every per-client limit; kept in the cache only.
CLIENT_ADDRESS_HEADER = os.environ.get("CLIENT_ADDRESS_HEADER", "REMOTE_ADDR")
RATELIMIT_IP_META_KEY = "dangjian.core.throttle.client_address"
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"  # no rows of axes' own models
AXES_CACHE = LIMITS_CACHE
RATELIMIT_USE_CACHE = LIMITS_CACHE
AXES_LOCKOUT_PARAMETERS = ["username"]  # the account key below; the address limit is django-ratelimit's
AXES_USERNAME_CALLABLE = "dangjian.accounts.throttle.account_key"
AXES_CLIENT_IP_CALLABLE = "dangjian.accounts.throttle.no_address"
AXES_FAILURE_LIMIT = "dangjian.accounts.throttle.failure_limit"
AXES_COOLOFF_TIME = "dangjian.accounts.throttle.cool_off"
AXES_LOCKOUT_CALLABLE = "dangjian.accounts.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # tries during a pause neither count nor extend it
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "user_agent"]
# axes.W006: the per-address limit is django-ratelimit's, not django-axes'. axes.W001 (without Redis): the
# file cache in /dev/shm is shared by every web worker of the machine; its increments are not atomic, so
# requests racing each other may slip a try or two past a limit (bounded by the number of workers).
SILENCED_SYSTEM_CHECKS = ["axes.W006"] + ([] if REDIS_URL else ["axes.W001"])

# Sessions are rows in the database (always read from the primary); with Redis they are also kept in its cache,
# so that a signed-in request on any server reads its session without a query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 8 * 60 * 60

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "dangjian" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Front-end packages come from npm (package.json, package-lock.json; `npm ci` by make and CI) and are served as
# our own static files from their dist folders; nothing of them is committed or fetched at run time.
NODE_MODULES = BASE_DIR / "node_modules"
# Only the files the pages use are collected (the echarts dist folder alone holds 51 MB of builds and source
# maps that collectstatic would otherwise copy and compress): dangjian.core.static_finders.PackageFileFinder.
PACKAGE_STATIC_FILES = {
    "vendor/tom-select/js/tom-select.complete.min.js": NODE_MODULES / "tom-select/dist/js/tom-select.complete.min.js",
    "vendor/tom-select/css/tom-select.min.css": NODE_MODULES / "tom-select/dist/css/tom-select.min.css",
    "vendor/trix/trix.umd.min.js": NODE_MODULES / "trix/dist/trix.umd.min.js",
    "vendor/trix/trix.css": NODE_MODULES / "trix/dist/trix.css",
    "vendor/echarts/echarts.min.js": NODE_MODULES / "echarts/dist/echarts.min.js",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dangjian.core.static_finders.PackageFileFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files are never served by path: each is served by its record through a view that checks who may see
# it. A front server (nginx) must not expose MEDIA_ROOT or any folder of it (see docs/security.md, 9.1).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Upload limits (bytes). Requests larger than the largest upload plus form overhead are refused.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
PHOTO_MAX_PIXELS = 1200  # longest side after resizing
# Pictures with more pixels are refused before decoding. Single-scan JPEG is decoded at a fraction of its size;
# JPEG in several scans (progressive or not) keeps all coefficients (up to 6 bytes a pixel), PNG is decoded
# whole (up to 4 bytes a pixel) and WebP's decoder holds more copies, so they get smaller limits (13 MP still
# takes a 4032 x 3024 phone photo): no upload grows a worker by more than ~100 MiB
# (test_9_2_no_upload_grows_a_worker_by_more_than_100_mib).
PHOTO_MAX_MEGAPIXELS = {"JPEG": 40, "JPEG-progressive": 13, "PNG": 13, "WEBP": 4}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Policies search ------------------------------------------------------------------------
WORD_DICTIONARY = BASE_DIR / "dangjian" / "core" / "data" / "word_dict.txt"
# Days before the end of a leadership term when the console starts warning.
TERM_WARNING_DAYS = 90

# --- Members and meetings (三会一课) -----------------------------------------------------------
# How often each kind of meeting is required (中国共产党支部工作条例（试行）): "monthly", "quarterly", "yearly", or
# absent for a kind with no required frequency. MEETING_FREQUENCIES (JSON) in the environment replaces it.
MEETING_FREQUENCIES = {
    "general": "quarterly",  # 支部党员大会
    "committee": "monthly",  # 支部委员会
    "group": "monthly",  # 党小组会
    "lecture": "quarterly",  # 党课
    "theme_day": "monthly",  # 主题党日
    "life": "yearly",  # 组织生活会
    "appraisal": "yearly",  # 民主评议党员
}
if os.environ.get("MEETING_FREQUENCIES"):
    MEETING_FREQUENCIES = json.loads(os.environ["MEETING_FREQUENCIES"])
# The secretary is reminded this many days before a period ends while a required meeting is missing.
MEETING_REMINDER_DAYS = env_int("MEETING_REMINDER_DAYS", 7)
# A member's invitation to set their password expires after this many days.
MEMBER_INVITATION_DAYS = env_int("MEMBER_INVITATION_DAYS", 7)
# The secretary is reminded this many days before a probationary member's year ends.
PROBATION_REMINDER_DAYS = env_int("PROBATION_REMINDER_DAYS", 30)
# A roster upload: at most this size and this many rows.
ROSTER_MAX_BYTES = env_int("ROSTER_MAX_BYTES", 10 * 1024 * 1024)
ROSTER_MAX_ROWS = env_int("ROSTER_MAX_ROWS", 20000)

# --- Publishing and push ---------------------------------------------------------------------
# Each standard column is updated at least every so many days (the government-website inspection rules);
# an organization changes its own columns' rules in the console.
PUBLISHING_COLUMN_RULE_DAYS = {"news": 14, "notices": 183, "party": 92, "village": 92}
# How many review steps (初审, 复审, 终审: 0 to 3) a new organization's standard columns require, by its kind.
PUBLISHING_REVIEW_STEPS = {"county": 3, "township": 2, "village": 1, "community": 1}
# An article body at most this many characters of HTML; its images and attachments as elsewhere
# (PHOTO_MAX_BYTES, ATTACHMENT_MAX_BYTES), at most this many of each.
# Learning: a lesson's video (MP4 or WebM, streamed to disk while it arrives, refused past this size before it is
# read whole) and PDF document; ffmpeg/ffprobe read a video's length and poster when they are installed.
LEARNING_VIDEO_MAX_BYTES = env_int("LEARNING_VIDEO_MAX_BYTES", 500 * 1024 * 1024)
LEARNING_DOCUMENT_MAX_BYTES = env_int("LEARNING_DOCUMENT_MAX_BYTES", 30 * 1024 * 1024)
FFMPEG = os.environ.get("FFMPEG", "ffmpeg")
FFPROBE = os.environ.get("FFPROBE", "ffprobe")
ARTICLE_MAX_HTML = env_int("ARTICLE_MAX_HTML", 200_000)
ARTICLE_MAX_IMAGES = env_int("ARTICLE_MAX_IMAGES", 30)
ARTICLE_MAX_ATTACHMENTS = env_int("ARTICLE_MAX_ATTACHMENTS", 10)
# A notice not signed off is reminded by the clock this many days before its reply-by date, and when overdue
# (at most once a day).
NOTICE_REMINDER_DAYS = env_int("NOTICE_REMINDER_DAYS", 1)
# Group robots: request timeout (seconds), tries before a delivery is recorded as failed (back-off doubles from
# PUSH_RETRY_SECONDS), and consecutive failures after which the robot's admins are told.
PUSH_TIMEOUT = env_int("PUSH_TIMEOUT", 10)
PUSH_MAX_ATTEMPTS = env_int("PUSH_MAX_ATTEMPTS", 5)
PUSH_FLAG_AFTER = env_int("PUSH_FLAG_AFTER", 3)
# The worker tries waiting deliveries this often; a failed one waits PUSH_RETRY_SECONDS, then twice as long, ...
PUSH_RETRY_SECONDS = env_int("PUSH_RETRY_SECONDS", 60)
# The only hosts a robot's webhook may point at (the three services), so that a webhook cannot make the server
# call an intranet address. Loopback (127.0.0.1, localhost) is allowed too only with ROBOT_ALLOW_LOOPBACK (on
# with DEBUG; `make run` sets it for the demo's local recorder, `manage.py record_robot_messages`).
ROBOT_ALLOWED_HOSTS = env_list(
    "ROBOT_ALLOWED_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com,open.feishu.cn,open.larksuite.com"
)
ROBOT_ALLOW_LOOPBACK = env_bool("ROBOT_ALLOW_LOOPBACK", DEBUG)

# --- Background tasks and mail ---------------------------------------------------------------
# Tasks are stored in the database and run by `manage.py run_worker`; `manage.py run_clock`
# enqueues the periodic ones. Both are started by `make run`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PERIODIC_TASKS = {
    "dangjian.feedback.tasks.scan_deadlines": env_int("DEADLINE_SCAN_SECONDS", 300),
    "dangjian.notifications.tasks.deliver_mail": env_int("MAIL_RETRY_SECONDS", 60),
    "dangjian.notifications.tasks.forget_old_notifications": 24 * 3600,
    "dangjian.notifications.tasks.deliver_sms": env_int("SMS_RETRY_SECONDS", 60),
    "dangjian.notifications.tasks.forget_old_sms": 24 * 3600,
    "dangjian.feedback.tasks.forget_personal_data": 24 * 3600,
    "dangjian.exchange.resident_tasks.forget_inactive_residents": 24 * 3600,
    "dangjian.core.tasks.prune_task_results": 24 * 3600,
    "dangjian.supervision.tasks.scan_deadlines": 3600,
    "dangjian.supervision.tasks.purge_expired": 24 * 3600,
    "dangjian.supervision.tasks.verify_audit_chain": env_int("AUDIT_VERIFY_SECONDS", 3600),
    "dangjian.members.tasks.remind_probations": 24 * 3600,
    "dangjian.meetings.tasks.remind_missing_meetings": 24 * 3600,
    "dangjian.publishing.tasks.publish_due_articles": env_int("PUBLISH_SCAN_SECONDS", 60),
    "dangjian.publishing.tasks.remind_overdue_notices": 3600,
    "dangjian.publishing.tasks.send_digests": 3600,
    "dangjian.notifications.tasks.deliver_pushes": PUSH_RETRY_SECONDS,
    "dangjian.learning.training_tasks.remind_training_sessions": 3600,
    "dangjian.exchange.message_tasks.send_mention_digests": env_int("EXCHANGE_DIGEST_SCAN_SECONDS", 900),
    # The usage summaries' rollups: refreshed on commit after each change; this catches a refresh that was
    # queued but lost, and the nightly rebuild corrects what changed without a save (dangjian/analytics).
    "dangjian.analytics.tasks.refresh_rollups": env_int("ROLLUP_REFRESH_SECONDS", 600),
    "dangjian.analytics.tasks.rebuild_rollups": env_int("ROLLUP_REBUILD_SECONDS", 24 * 3600),
    # The monthly and quarterly usage reports, made once each in the first SUMMARY_REPORT_DAYS of a period.
    "dangjian.analytics.report_tasks.schedule_summary_reports": 3600,
}
# The clock makes the month's (and quarter's) usage report on the first days of the next: this many, so that a
# clock stopped on the first day still makes it.
SUMMARY_REPORT_DAYS = env_int("SUMMARY_REPORT_DAYS", 3)
# Personal data of the feedback module is kept only this long after a case is closed.
FEEDBACK_CONTACT_RETENTION_DAYS = env_int("FEEDBACK_CONTACT_RETENTION_DAYS", 365)
# Notifications (all modules) are kept this long.
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 365)
# Files an e-mail notification may carry (notifications/attachments.py): how many, and how many bytes in all.
MAIL_ATTACHMENTS_MAX_COUNT = env_int("MAIL_ATTACHMENTS_MAX_COUNT", 5)
MAIL_ATTACHMENTS_MAX_BYTES = env_int("MAIL_ATTACHMENTS_MAX_BYTES", 10 * 1024 * 1024)
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": env_int("EMAIL_TIMEOUT", 20),
            },
        }
    }
else:
    # No mail server configured: messages are written as files under var/mail for inspection.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dangjian@localhost")

# Short messages to citizens (dangjian/notifications/sms.py): SMS_BACKEND is a dotted path, SMS_OPTIONS its
# options. SMS_BACKEND=file (the default) writes each message as a file under var/sms; SMS_BACKEND=http posts
# to a provider's gateway (SMS_API_URL, SMS_API_KEY or SMS_API_KEY_FILE, SMS_API_SECRET, SMS_SIGN_NAME,
# SMS_TIMEOUT); SMS_BACKEND=none turns SMS off (no SMS choice on the feedback form, no lookup by mobile).
_SMS_BACKENDS = {
    "file": "dangjian.notifications.sms.FileBackend",
    "http": "dangjian.notifications.sms.HttpBackend",
    "none": "",
    "": "",
}
SMS_BACKEND = _SMS_BACKENDS.get(os.environ.get("SMS_BACKEND", "file"), os.environ.get("SMS_BACKEND", ""))
if SMS_BACKEND.endswith("HttpBackend"):
    _sms_key_file = os.environ.get("SMS_API_KEY_FILE", "")
    SMS_OPTIONS: dict[str, Any] = {
        "url": os.environ.get("SMS_API_URL", ""),
        "api_key": Path(_sms_key_file).read_text().strip() if _sms_key_file else os.environ.get("SMS_API_KEY", ""),
        "secret": os.environ.get("SMS_API_SECRET", ""),
        "sign_name": os.environ.get("SMS_SIGN_NAME", ""),
        "timeout": env_int("SMS_TIMEOUT", 10),
    }
else:
    SMS_OPTIONS = {"directory": os.environ.get("SMS_FILE_PATH", str(VAR_DIR / "sms"))}
# Every short message starts with the signature 【…】 the provider registered (a rule for SMS in China):
# SMS_SIGNATURE, else SMS_SIGN_NAME, else (empty) the short name of the top organization, e.g. 【清源县】.
SMS_SIGNATURE = os.environ.get("SMS_SIGNATURE", "") or os.environ.get("SMS_SIGN_NAME", "")
# The address citizens are sent to in messages (scheme://host, no trailing slash), e.g. https://dj.example.gov.cn
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Real-time exchange (dangjian/exchange) ----------------------------------------------------
# Pages are served over WSGI (gunicorn); WebSockets over ASGI (uvicorn, `dangjian.asgi`), each message stored in the
# database before it is broadcast. The channel layer carries broadcasts between processes: in memory (one ASGI
# process) by default, Redis with REDIS_URL (several processes or servers).
ASGI_APPLICATION = "dangjian.asgi.application"
CHANNEL_LAYERS: dict[str, dict[str, Any]]
if REDIS_URL:
    # Redis Pub/Sub: a broadcast is published once per room and each process hands it to its own clients, where
    # the list-based RedisChannelLayer writes and pops one entry per client (1,000 round trips per message in a
    # room of 1,000: p95 3 s on two cores in `make bench`). Pub/Sub delivers at most once, as every layer may drop:
    # the watcher that reads the rooms from the database (EXCHANGE_WATCH_SECONDS below) makes up for what is lost.
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Where browsers open the WebSocket: empty = the page's own host under /ws/ (one front, nginx routing /ws/ to the
# ASGI server); `make run` serves the ASGI server on its own port and sets e.g. ws://127.0.0.1:8001.
REALTIME_URL = os.environ.get("REALTIME_URL", "").rstrip("/")
if REALTIME_URL:  # the pages' scripts may open sockets there (CSP 'self' covers only the pages' own origin)
    SECURE_CSP["connect-src"] = [CSP.SELF, REALTIME_URL]
# Pages whose origin may open a WebSocket (scheme://host[:port]); SITE_URL's origin always may.
REALTIME_ALLOWED_ORIGINS = env_list("REALTIME_ALLOWED_ORIGINS", "")
# uvicorn's --ws-max-size: a frame larger than this closes that connection (code 1009, no reason a person can read).
# It is well above any real message (EXCHANGE_MESSAGE_MAX_CHARS, a few KB as JSON) so that a long paste of up to
# 2 MB reaches the consumer, which refuses it with "消息太长…" and keeps the connection (consumers.JsonFrames).
# Memory: uvicorn holds at most one incoming frame per connection while it is read, and only sockets that passed
# the session and room checks get that far, so the worst case is 2 MB per such connection sending at once (a
# thousand of them: 2 GB); lower it on a small server, never below a message's size.
REALTIME_MAX_FRAME_BYTES = env_int("REALTIME_MAX_FRAME_BYTES", 2 * 1024 * 1024)
# Each ASGI process reads the rooms its clients are in every this many seconds and sends what the channel layer
# did not bring (a message posted through a page, a broadcast the layer dropped).
EXCHANGE_WATCH_SECONDS = float(os.environ.get("EXCHANGE_WATCH_SECONDS", "1.0"))
EXCHANGE_MESSAGE_MAX_CHARS = env_int("EXCHANGE_MESSAGE_MAX_CHARS", 2000)
EXCHANGE_RECALL_SECONDS = env_int("EXCHANGE_RECALL_SECONDS", 120)
EXCHANGE_IMAGE_MAX_BYTES = env_int("EXCHANGE_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
EXCHANGE_FILE_MAX_BYTES = env_int("EXCHANGE_FILE_MAX_BYTES", 20 * 1024 * 1024)
# Rate limits: messages per person in a room per minute; a new account (younger than EXCHANGE_NEW_ACCOUNT_DAYS,
# or new in the room) is in the slower lane; and all messages of one room per minute.
EXCHANGE_PERSON_PER_MINUTE = env_int("EXCHANGE_PERSON_PER_MINUTE", 20)
EXCHANGE_NEW_PERSON_PER_MINUTE = env_int("EXCHANGE_NEW_PERSON_PER_MINUTE", 5)
EXCHANGE_NEW_ACCOUNT_DAYS = env_int("EXCHANGE_NEW_ACCOUNT_DAYS", 3)
EXCHANGE_ROOM_PER_MINUTE = env_int("EXCHANGE_ROOM_PER_MINUTE", 600)
# Unread mentions older than this are sent as one e-mail digest to a person who has not read them.
EXCHANGE_DIGEST_AFTER_MINUTES = env_int("EXCHANGE_DIGEST_AFTER_MINUTES", 30)
# Joining rooms and changing nicknames per person per hour; residents not seen for this many days are forgotten
# (their account closed, as if they had deleted it: exchange/residents.py).
EXCHANGE_JOINS_PER_HOUR = env_int("EXCHANGE_JOINS_PER_HOUR", 10)
EXCHANGE_QUESTIONS_PER_HOUR = env_int("EXCHANGE_QUESTIONS_PER_HOUR", 5)
RESIDENT_INACTIVE_DAYS = env_int("RESIDENT_INACTIVE_DAYS", 730)

# --- Supervision reports ---------------------------------------------------------------------
# Argon2id for officers' passwords and reporters' receipts: (opslimit, memlimit in bytes).
SUPERVISION_ARGON2 = (env_int("SUPERVISION_ARGON2_OPS", 3), env_int("SUPERVISION_ARGON2_MEM", 64 * 1024 * 1024))
# Wrong receipts one client (a keyed hash of its address, in the cache only) may try per hour before it
# is asked to wait; other clients are not affected.
SUPERVISION_RECEIPT_FAILURES_PER_CLIENT = env_int("SUPERVISION_RECEIPT_FAILURES_PER_CLIENT", 20)
SUPERVISION_RETENTION_YEARS = env_int("SUPERVISION_RETENTION_YEARS", 5)
OTP_TOTP_ISSUER = "Dangjian"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # and accounts/admin.py replaces django-otp's device admin

# --- Usage summaries: freshness and 形同摆设 (dangjian/analytics/freshness.py) -------------------
# An organization is 形同摆设 (idle) when its portal home has not changed for this many days (the inspection
# rules: two weeks), or never has.
SUMMARY_IDLE_HOME_DAYS = env_int("SUMMARY_IDLE_HOME_DAYS", 14)
# ... or when this many of its columns (栏目) or more are overdue for an update by their own rules.
SUMMARY_IDLE_OVERDUE_COLUMNS = env_int("SUMMARY_IDLE_OVERDUE_COLUMNS", 5)
# ... or when interaction goes unanswered: this many feedback cases past their deadline (to accept or to answer),
# public questions (问政) open longer than EXCHANGE_QUESTION_ANSWER_DAYS, or notices not signed off past their
# reply-by date, in the organization itself. Fewer than that (one or more) make it 需关注 (needs attention).
SUMMARY_UNANSWERED_CASES = env_int("SUMMARY_UNANSWERED_CASES", 3)
SUMMARY_UNANSWERED_QUESTIONS = env_int("SUMMARY_UNANSWERED_QUESTIONS", 3)
SUMMARY_UNANSWERED_NOTICES = env_int("SUMMARY_UNANSWERED_NOTICES", 3)
# A public question waits at most this many days for its official answer before it counts as unanswered.
EXCHANGE_QUESTION_ANSWER_DAYS = env_int("EXCHANGE_QUESTION_ANSWER_DAYS", 5)
# Each "what to do now" list shows at most this many items (with the total).
SUMMARY_TODO_LIMIT = env_int("SUMMARY_TODO_LIMIT", 20)

# --- Logging: no request bodies, no personal data -------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "no_supervision_requests": {"()": "dangjian.core.log_filters.NoSupervisionRequests"},
        "refusals_without_traceback": {"()": "dangjian.core.log_filters.RefusalsWithoutTraceback"},
        "no_secret_tokens": {"()": "dangjian.core.log_filters.NoSecretTokens"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # django-axes reports every failed sign-in at WARNING; the pages say what matters, logs keep nothing.
        "axes": {"level": "ERROR"},
        # No line about a request to the reporters' or officers' supervision pages (core/log_filters.py).
        "django.request": {"filters": ["no_supervision_requests", "refusals_without_traceback", "no_secret_tokens"]},
        "django.server": {"filters": ["no_supervision_requests", "no_secret_tokens"]},
        "django.security": {"filters": ["no_supervision_requests"]},
        # Each ASGI process's delivery counts of the rooms (exchange/watcher.py), a line now and then.
        "dangjian.exchange.live": {"level": "INFO"},
    },
}

SITE_NAME = _("Grassroots Party-building Platform")
