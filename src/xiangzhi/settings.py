"""Project settings: every value that varies comes from the environment, read here and only here.

XIANGZHI_ENV selects the mode: ``development`` (default, also the demo) or ``production``.
In production every secret must be given; in development the missing ones are made once and
kept in the git-ignored ``var/`` folder of the checkout, so a restart keeps data and keys.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from xiangzhi import keysfile

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the checkout (src/xiangzhi/ → ../..)
PACKAGE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return default if value in (None, "") else [v.strip() for v in value.split(",") if v.strip()]


XIANGZHI_ENV = env_str("XIANGZHI_ENV", "development")
PRODUCTION = XIANGZHI_ENV == "production"
# Demo mode unlocks demo-only helpers such as `xiangzhi otp-code`; never set it in production.
DEMO_MODE = env_bool("XIANGZHI_DEMO", False) and not PRODUCTION
DEBUG = env_bool("DJANGO_DEBUG", False) and not PRODUCTION

VAR_DIR = Path(env_str("XIANGZHI_VAR_DIR", str(BASE_DIR / "var")))
PRIVATE_FILES_DIR = Path(env_str("XIANGZHI_PRIVATE_DIR", str(VAR_DIR / "private")))
KEYS_FILE = Path(env_str("XIANGZHI_KEYS_FILE", str(VAR_DIR / "keys.json")))


def _keys_file_private(path: Path) -> None:
    """The keys file is its owner's alone (0600). Production refuses a looser one; development tightens it."""
    mode = path.stat().st_mode & 0o777
    if not mode & 0o077:
        return
    if PRODUCTION:
        raise ImproperlyConfigured(
            f"密钥文件 {path} 的权限为 {mode:04o}，同组或其他用户可读：请改为 0600（chmod 600）后再启动。"
        )
    path.chmod(0o600)


def _local_keys() -> dict:
    """The keys file (default var/keys.json, mode 0600), outside the database. Development makes one on first use;
    production must be given one (`python -m xiangzhi.keysfile init PATH`)."""
    if KEYS_FILE.exists():
        _keys_file_private(KEYS_FILE)
        return json.loads(KEYS_FILE.read_text())
    if PRODUCTION:
        raise ImproperlyConfigured(
            f"密钥文件 {KEYS_FILE} 不存在；生产环境请先运行 `python -m xiangzhi.keysfile init {KEYS_FILE}` 生成，"
            "并备份到数据库以外的安全位置。"
        )
    return keysfile.create(KEYS_FILE)


_KEYS = _local_keys()
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or _KEYS["secret_key"]
# Keyed hash of the audit chain, keyed lookups of encrypted numbers, and the data-encryption keys.
# They live in the keys file (or its replacement in production), never in the database.
XIANGZHI_AUDIT_KEY = _KEYS["audit_key"]
XIANGZHI_LOOKUP_KEY = _KEYS["lookup_key"]
XIANGZHI_PII_KEYS = _KEYS["pii_keys"]
XIANGZHI_PII_CURRENT_KEY = _KEYS["pii_current"]

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "xiangzhi.core",
    "xiangzhi.regions",
    "xiangzhi.accounts",
    "xiangzhi.audit",
    "xiangzhi.people",
    "xiangzhi.party",
    "xiangzhi.cases",
    "xiangzhi.mediation",
    "xiangzhi.grid",
    "xiangzhi.open311",
    "xiangzhi.points",
    "xiangzhi.store",
    "xiangzhi.honours",
    "xiangzhi.volunteering",
    "xiangzhi.deliberation",
    "xiangzhi.disclosure",
    "xiangzhi.assets",
    "xiangzhi.enforcement",
    "xiangzhi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xiangzhi.accounts.middleware.SessionLimitMiddleware",
    "xiangzhi.accounts.middleware.AccountGateMiddleware",
    "xiangzhi.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xiangzhi.web.errors.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xiangzhi.urls"
WSGI_APPLICATION = "xiangzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xiangzhi.web.context.navigation",
            ],
        },
    },
]

_SQLITE_PATH = VAR_DIR / "xiangzhi.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{_SQLITE_PATH}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete: deleted rows are overwritten, so a removed or re-encrypted number does not linger in the file.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;",
    }
DATABASES["default"]["TEST"] = {"NAME": env_str("DJANGO_TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Passwords: Argon2 first (等保 3); the validators add the complexity rules of accounts.passwords.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xiangzhi.accounts.passwords.StaffComplexityValidator"},
]
PASSWORD_MAX_AGE_DAYS = env_int("XIANGZHI_PASSWORD_MAX_AGE_DAYS", 90)
VILLAGER_PASSWORD_MIN_LENGTH = 8

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (django-axes): 5 failures of one username from one address lock that pair for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_IPWARE_PROXY_COUNT = env_int("XIANGZHI_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = False
# Villagers type their phone: axes keys and stores the mapped `v-<keyed hash>` username, never the number.
AXES_USERNAME_CALLABLE = "xiangzhi.accounts.services.axes_username"
# One notion of the client address for lockouts and audit: X-Forwarded-For only behind XIANGZHI_PROXY_COUNT proxies.
AXES_CLIENT_IP_CALLABLE = "xiangzhi.core.middleware.client_ip"
AXES_SENSITIVE_PARAMETERS = ["username", "password", "ip_address"]
# A fixed 30-minute lock: attempts during the lock are refused (and audited) without extending it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# Sessions: 30 minutes idle (enforced on the server by SessionLimitMiddleware), 12 hours absolute.
SESSION_IDLE_SECONDS = env_int("XIANGZHI_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("XIANGZHI_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
OTP_TOTP_ISSUER = "乡治"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start otherwise
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_FILES_DIR)},
    },
    "staticfiles": {
        "BACKEND": env_str("XIANGZHI_STATIC_STORAGE", "whitenoise.storage.CompressedStaticFilesStorage")
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# No public media folder: uploads are served only through core.views.private_file, which asks the policy.
# MEDIA_URL names a path no URL pattern serves (Django's test live server needs a string here).
MEDIA_URL = "/no-public-media/"
MEDIA_ROOT = VAR_DIR / "no-public-media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": env_str("XIANGZHI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

AUDIT_RETENTION_DAYS = max(180, env_int("XIANGZHI_AUDIT_RETENTION_DAYS", 180))
# A task RUNNING longer than this was left by a killed worker: the reaper marks it failed (core.periodic).
TASK_RUNNING_TIMEOUT_SECONDS = env_int("XIANGZHI_TASK_TIMEOUT_SECONDS", 3600)
# Largest private file accepted (core.files.file_store), in bytes.
PRIVATE_FILE_MAX_BYTES = env_int("XIANGZHI_PRIVATE_FILE_MAX_BYTES", 10 * 1024 * 1024)
# Optional path of a TrueType CJK font for PDFs (core.pdf); the Debian fonts are found without it.
PDF_CJK_FONT = env_str("XIANGZHI_PDF_CJK_FONT")

# Proxies: how many trusted proxies sit in front (real client addresses come from X-Forwarded-For).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("XIANGZHI_BEHIND_TLS_PROXY") else None
)

if PRODUCTION:
    if not env_str("DJANGO_SECRET_KEY"):
        raise ImproperlyConfigured("生产环境必须设置 DJANGO_SECRET_KEY。")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("XIANGZHI_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
