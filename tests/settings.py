"""Settings for the test suite: the real settings with a throwaway key and fast hashing."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-suite-only-key")
if "MEDIA_ROOT" not in os.environ:  # made once per run (workers and children inherit it)
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="aefront-test-media-")
    atexit.register(shutil.rmtree, os.environ["MEDIA_ROOT"], True)

from aefront.settings import *  # noqa: E402,F403

# pytest-xdist workers inherit the environment, so they would share one MEDIA_ROOT; tests
# compare the files stored in it, so each worker gets a folder of its own.
if _worker := os.environ.get("PYTEST_XDIST_WORKER"):
    MEDIA_ROOT = MEDIA_ROOT / _worker  # noqa: F405
    MEDIA_ROOT.mkdir(parents=True, exist_ok=True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    # The file system, unless a test's child process is given an object store
    # (AWS_STORAGE_BUCKET_NAME: tests/test_object_store.py's backup and restore).
    "default": STORAGES["default"]  # noqa: F405
    if os.environ.get("AWS_STORAGE_BUCKET_NAME")
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests never run collectstatic; static files come from the finders.
STATIC_ROOT = None
# The test client and live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
# Suggestions rank lexically unless a test asks for the model (tests/coding/test_suggest.py),
# and embeddings are computed in the request, so tests need no background thread.
AEFRONT_SUGGEST_BACKEND = "lexical"
AEFRONT_EMBED_ON_SAVE = "now"
AEFRONT_SUGGEST_REFRESH_SECONDS = 0

# Jobs run where they are queued (after the commit), so a test sees them finished; the
# worker itself is started in tests/test_jobs.py.
if not os.environ.get(
    "AEFRONT_TEST_DATABASE_TASKS"
):  # set for the worker tests/test_jobs.py starts
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
