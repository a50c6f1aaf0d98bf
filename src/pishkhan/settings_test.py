"""Settings for the test suite: the production settings with test-only values.

DATABASE_URL still decides the database, so the same suite runs on SQLite and PostgreSQL.
"""

import atexit
import importlib.util
import os
import shutil
import tempfile

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("SECRET_KEY", "test-only-" + "k" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Uploads land on the local disk in a scratch folder of this run, never in var/media
# (nor in an object store the environment may name); the folder goes when the run ends.
os.environ["PISHKHAN_FILE_STORAGE"] = "local"
os.environ["PISHKHAN_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="pishkhan-test-media-")
# The demo signing certificate of this run is made in a scratch folder too, never the
# one under var/signing, and never the city's key the environment may name.
os.environ["PISHKHAN_SIGNING_DEMO_DIR"] = tempfile.mkdtemp(prefix="pishkhan-test-signing-")
os.environ.pop("PISHKHAN_SIGNING_KEY", None)
os.environ.pop("PISHKHAN_SIGNING_CERT", None)
os.environ.pop("PISHKHAN_SIGNING_CHAIN", None)

from pishkhan.settings import *  # noqa: F403
from pishkhan.settings import MEDIA_ROOT, PISHKHAN_SIGNING_DEMO_DIR, STATIC_ROOT, STORAGES

atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
atexit.register(shutil.rmtree, PISHKHAN_SIGNING_DEMO_DIR, ignore_errors=True)

# whitenoise warns about a missing STATIC_ROOT on every request; collectstatic makes it in
# production, the tests serve from the apps' static folders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Hashing with Argon2 for every test user would dominate the run time; the Argon2
# promise is tested on its own with the production hasher list.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# pytest-django empties the database between transactional tests with one TRUNCATE of
# every table; the audit tables' trigger lets that through only in sessions that say so
# (audit/migrations/0002). UPDATE and DELETE stay refused.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (  # noqa: F405
        "-c pishkhan.audit_allow_truncate=on"
    )

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A test-only app that plugs an effect and outbox receivers into the spine's seams. It
# lives in the repository's tests/ (on the path under pytest); the benchmarks, which use
# these settings from a plain script, run without it.
if importlib.util.find_spec("tests") is not None:
    INSTALLED_APPS = [*INSTALLED_APPS, "tests.seams"]  # noqa: F405
