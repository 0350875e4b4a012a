"""
Django settings for the example_channels baseline.

A port of the "Getting Started with Django Channels" tutorial app
(Django 1.10 / Channels 1) to Django 5.x / Channels 4 / daphne.

Configuration comes from environment variables (see README.md):
  BASELINE_LAYER          memory | redis          (default: memory)
  REDIS_URL               redis URL for channels_redis
                                                  (default: redis://127.0.0.1:6379/0)
  BASELINE_REDIS_PREFIX   channels_redis key prefix (default: baseline)
  BASELINE_DB             SQLite file path        (default: <here>/db.sqlite3)
  BASELINE_HASHER         fast | default          (default: fast)
  DEBUG                   1/true/yes/on to enable (default: off)
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


# Benchmark baseline only: not a secret.
SECRET_KEY = os.environ.get(
    "BASELINE_SECRET_KEY",
    "django-insecure-baseline-benchmark-key-not-for-production-use",
)

DEBUG = _env_bool("DEBUG", False)

# The Host header's port is ignored by Django, so these allow any port.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Hosts whose Origin (any scheme http/https, any port) is accepted for CSRF
# checks by example_channels.security.LoopbackCsrfViewMiddleware, in addition
# to Django's own same-origin check and CSRF_TRUSTED_ORIGINS.
# (Django's CSRF_TRUSTED_ORIGINS cannot wildcard ports, hence the middleware.)
CSRF_LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "example",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "example_channels.security.LoopbackCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_channels.urls"

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
            ],
        },
    },
]

ASGI_APPLICATION = "example_channels.asgi.application"

# Database

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BASELINE_DB") or str(BASE_DIR / "db.sqlite3"),
    }
}

# Password hashing / validation

_hasher = (os.environ.get("BASELINE_HASHER") or "fast").strip().lower()
if _hasher == "fast":
    # Cheap hasher so that benchmarks measure the app, not PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
elif _hasher != "default":
    raise ImproperlyConfigured(
        f"BASELINE_HASHER must be 'fast' or 'default', not {_hasher!r}"
    )
# (with "default", Django's default PASSWORD_HASHERS are used)

# Django's startproject defaults (the tutorial's project had them too).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.NumericPasswordValidator",
    },
]

LOGIN_URL = "/log_in/"

# Internationalization

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channels

_layer = (os.environ.get("BASELINE_LAYER") or "memory").strip().lower()
if _layer == "memory":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
        }
    }
elif _layer == "redis":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"],
                "prefix": os.environ.get("BASELINE_REDIS_PREFIX") or "baseline",
            },
        }
    }
else:
    raise ImproperlyConfigured(
        f"BASELINE_LAYER must be 'memory' or 'redis', not {_layer!r}"
    )

# Logging: stderr, WARNING, so logging does not dominate benchmarks.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "daphne": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
