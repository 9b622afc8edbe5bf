"""Misago: Django with PostgreSQL (it supports nothing else), served by gunicorn.

Misago ships its development project (``devproject``) in its wheel; the settings here
start from it, production flavour: DEBUG off, the debug toolbar taken out, PostgreSQL in
a database of its own (``bench_misago``, created afresh), Django's in-process cache,
Celery tasks run in-process (no broker). Misago shows 18 posts a thread page by
default (``posts_per_page``; up to 6 more on the last page), rendered on the server and
also sent as JSON for its React front end, which the page carries.
"""

from __future__ import annotations

from bench.forums import Forum
from bench.forums._django import SEED_PRELUDE, project

DATABASE = "bench_misago"

SETTINGS = f"""\
from devproject.settings import *  # noqa: F403 — Misago's own project settings

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECRET_KEY = "bench-not-secret"
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "{DATABASE}",
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": 5432,
    }}
}}
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "debug_toolbar"]
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("debug_toolbar")]
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
"""

URLS = """\
from devproject.urls import urlpatterns  # noqa: F401 — Misago's own URLs
"""

SEED = (
    SEED_PRELUDE
    + """
from datetime import timedelta

from django.test import RequestFactory

from misago.categories.models import Category
from misago.markup.parser import parse
from misago.threads.checksums import update_post_checksum
from misago.threads.models import Post, Thread
from misago.users.test import create_test_user

AVATARS = [{"size": s, "url": f"/media/avatars/{s}.png"} for s in (400, 200, 100)]
request = RequestFactory().get("/")
with transaction.atomic():
    users = [
        create_test_user(name, f"{name}@example.com", "bench-password", avatars=AVATARS)
        for name in MEMBERS + ["viewer"]
    ]
    category = Category.objects.get(slug="first-category")
    start = timezone.now() - timedelta(days=30)
    first = users[POSTS[0][0]]
    thread = Thread.objects.create(
        category=category, title=TOPIC["title"], slug=TOPIC["title"].lower().replace(" ", "-"),
        started_on=start, last_post_on=start, starter=first, starter_name=first.username,
        starter_slug=first.slug, last_poster=first, last_poster_name=first.username,
        last_poster_slug=first.slug,
    )
    for i, (author, body) in enumerate(POSTS):
        when = start + timedelta(minutes=i)
        post = Post.objects.create(
            category=category, thread=thread, poster=users[author],
            poster_name=users[author].username, original=body,
            parsed=parse(body, request, users[author])["parsed_text"], checksum="",
            posted_on=when, updated_on=when,
        )
        update_post_checksum(post)
        post.save(update_fields=["checksum"])
        users[author].posts += 1
    for user in users:
        user.save(update_fields=["posts"])
    thread.synchronize()
    thread.save()
    category.synchronize()
    category.save()

done(path=thread.get_absolute_url(), cookie=session_cookie(users[-1]), per_page=18)
"""
)

FORUM = Forum(
    key="misago",
    title="Misago 0.39.6",
    packages=(
        "aiohttp==3.9.1",
        "aiosignal==1.3.1",
        "amqp==5.2.0",
        "anyio==4.2.0",
        "ariadne-django==0.3.0",
        "ariadne==0.21",
        "asgiref==3.7.2",
        "attrs==23.1.0",
        "billiard==4.2.0",
        "black==23.12.0",
        "celery==5.3.6",
        "certifi==2023.11.17",
        "cffi==1.16.0",
        "charset-normalizer==3.3.2",
        "click-didyoumean==0.3.0",
        "click-plugins==1.1.1",
        "click-repl==0.3.0",
        "click==8.1.7",
        "coverage==6.5.0",
        "coveralls==3.3.1",
        "cryptography==41.0.7",
        "defusedxml==0.8.0rc2",
        "django-debug-toolbar==4.2.0",
        "django-js-asset==2.2.0",
        "django-mptt==0.15.0",
        "django-simple-sso==1.2.0",
        "Django==4.2.8",
        "djangorestframework==3.14.0",
        "docopt==0.6.2",
        "Faker==21.0.0",
        "frozenlist==1.4.1",
        "graphql-core==3.2.3",
        "gunicorn==27.0.1",
        "html5lib==1.1",
        "idna==3.6",
        "iniconfig==2.0.0",
        "itsdangerous==0.24",
        "kombu==5.3.4",
        "Markdown==3.5.1",
        "Misago==0.39.6",
        "multidict==6.0.4",
        "mypy-extensions==1.0.0",
        "oauthlib==3.2.2",
        "packaging==23.2",
        "pathspec==0.12.1",
        "Pillow==10.1.0",
        "platformdirs==4.1.0",
        "pluggy==1.3.0",
        "prompt-toolkit==3.0.43",
        "psycopg-binary==3.1.16",
        "psycopg==3.1.16",
        "pycparser==2.21",
        "PyJWT==2.8.0",
        "pytest-cov==4.1.0",
        "pytest-django==4.7.0",
        "pytest-mock==3.12.0",
        "pytest==7.4.3",
        "python-dateutil==2.8.2",
        "python3-openid==3.2.0",
        "pytz==2023.3.post1",
        "PyYAML==6.0.1",
        "redis==5.0.1",
        "requests-oauthlib==1.3.1",
        "requests==2.31.0",
        "responses==0.24.1",
        "ruff==0.1.8",
        "six==1.16.0",
        "sniffio==1.3.0",
        "social-auth-app-django==5.4.0",
        "social-auth-core==4.5.1",
        "sqlparse==0.4.4",
        "starlette==0.34.0",
        "syrupy==4.6.0",
        "typing_extensions==4.9.0",
        "tzdata==2023.3",
        "Unidecode==1.3.7",
        "urllib3==2.1.0",
        "vine==5.1.0",
        "wcwidth==0.2.12",
        "webencodings==0.5.1",
        "webservices==0.7",
        "yarl==1.9.4",
    ),  # Misago's own pins (its wheel requires its test tools too)
    **project(SETTINGS, URLS, SEED),
    logged_in_marker="viewer@example.com",
    postgres_db=DATABASE,
)
