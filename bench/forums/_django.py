"""Pieces the Django forums' harness files share (text written into their site dirs)."""

from __future__ import annotations

# Seed scripts start with this: Django set up from the site's settings, a fixed random
# text generator, and the logged-in session made the way Django's test client makes it.
SEED_PRELUDE = """\
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django

django.setup()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone

# The topic, written by bench/forums from bench/corpus.py: the same kind of text as R1.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "posts.json")) as f:
    TOPIC = json.load(f)
MEMBERS = TOPIC["members"]  # [username, ...]; the first opens the topic
POSTS = TOPIC["posts"]  # [[member index, markdown], ...], oldest first


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def done(**meta):
    print("SEED " + json.dumps(meta))
"""

GUNICORN = ("gunicorn", "--workers", "2", "--bind", "127.0.0.1:{port}", "--log-level", "warning")

WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
application = get_wsgi_application()
"""

MANAGE = """\
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""

# Appended to each Django forum's settings: with DEBUG off, Django mails errors to the
# admins and prints nothing; this puts them in the server's log (site/serve.log) instead.
LOGGING = """
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
"""


def project(settings: str, urls: str, seed: str) -> dict[str, object]:
    """The Django site each Django forum is served from: its files, and the commands that
    set it up, seed it and serve it (``Forum(**project(...))``)."""
    return {
        "files": {
            "benchsite/__init__.py": "",
            "benchsite/settings.py": settings + LOGGING,
            "benchsite/urls.py": urls,
            "benchsite/wsgi.py": WSGI,
            "manage.py": MANAGE,
            "seed.py": seed,
        },
        "setup": (("manage.py", "migrate", "--noinput", "-v", "0"),),
        "seed": ("seed.py",),
        "serve": (*GUNICORN, "benchsite.wsgi"),
    }
