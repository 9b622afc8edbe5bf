"""Spirit (PyPI django-spirit): Django, SQLite, served by gunicorn.

Settings follow Spirit's own project template (``spirit startproject``), production
flavour: DEBUG off, its apps and middleware, with SQLite and Django's in-process cache
instead of the database cache. Spirit shows a topic as its comments, 20 a page by
default (the first comment is the opening post).
"""

from __future__ import annotations

from bench.forums import Forum
from bench.forums._django import SEED_PRELUDE, project

SETTINGS = """\
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "bench-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "spirit.core",
    "spirit.admin",
    "spirit.search",
    "spirit.user",
    "spirit.user.admin",
    "spirit.user.auth",
    "spirit.category",
    "spirit.category.admin",
    "spirit.topic",
    "spirit.topic.admin",
    "spirit.topic.favorite",
    "spirit.topic.moderate",
    "spirit.topic.notification",
    "spirit.topic.private",
    "spirit.topic.unread",
    "spirit.comment",
    "spirit.comment.bookmark",
    "spirit.comment.flag",
    "spirit.comment.flag.admin",
    "spirit.comment.history",
    "spirit.comment.like",
    "spirit.comment.poll",
    "djconfig",
    "haystack",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "spirit.user.middleware.TimezoneMiddleware",
    "spirit.user.middleware.LastIPMiddleware",
    "spirit.user.middleware.LastSeenMiddleware",
    "spirit.user.middleware.ActiveUserMiddleware",
    "spirit.core.middleware.PrivateForumMiddleware",
    "djconfig.middleware.DjConfigMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.debug",
                "django.template.context_processors.i18n",
                "django.template.context_processors.media",
                "django.template.context_processors.static",
                "django.template.context_processors.tz",
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "djconfig.context_processors.config",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(BASE_DIR, "db.sqlite3"),
    }
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "st_rate_limit": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "spirit_rl_cache",
        "TIMEOUT": None,
    },
}
AUTHENTICATION_BACKENDS = [
    "spirit.user.auth.backends.UsernameAuthBackend",
    "spirit.user.auth.backends.EmailAuthBackend",
]
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": os.path.join(BASE_DIR, "st_search"),
    }
}
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
LOGIN_URL = "spirit:user:auth:login"
LOGIN_REDIRECT_URL = "spirit:user:update"
LOGOUT_REDIRECT_URL = "spirit:index"
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = os.path.join(BASE_DIR, "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = os.path.join(BASE_DIR, "media")
STORAGES = {
    "default": {"BACKEND": "spirit.core.storage.OverwriteFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ST_SITE_URL = "http://127.0.0.1/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
"""

URLS = """\
from django.urls import include, path

import spirit.urls

urlpatterns = [path("", include(spirit.urls))]
"""

SEED = (
    SEED_PRELUDE
    + """
from datetime import timedelta

from django.contrib.auth.hashers import make_password

from spirit.category.models import Category
from spirit.comment.models import Comment
from spirit.core.utils.markdown import Markdown
from spirit.topic.models import Topic
from spirit.user.models import UserProfile

User = get_user_model()
password = make_password("bench-password")
with transaction.atomic():
    users = [
        User.objects.create(username=name, email=f"{name}@example.com", password=password)
        for name in MEMBERS + ["viewer"]
    ]
    UserProfile.objects.filter(user__in=users).update(is_verified=True)
    category = Category.objects.create(title="General", description="Everything else")
    start = timezone.now() - timedelta(days=30)
    topic = Topic.objects.create(
        user=users[0], category=category, title=TOPIC["title"], date=start,
        last_active=start + timedelta(minutes=len(POSTS)), comment_count=len(POSTS),
    )
    Comment.objects.bulk_create(
        Comment(
            user=users[author], topic=topic, comment=body,
            comment_html=Markdown().render(body), date=start + timedelta(minutes=i),
        )
        for i, (author, body) in enumerate(POSTS)
    )
    for i, user in enumerate(users[: len(MEMBERS)]):
        n = sum(1 for author, _ in POSTS if author == i)
        UserProfile.objects.filter(user=user).update(comment_count=n, topic_count=int(i == 0))

done(path=topic.get_absolute_url(), cookie=session_cookie(users[-1]), per_page=20)
"""
)

FORUM = Forum(
    key="spirit",
    title="Spirit 0.14.3",
    packages=(
        "asgiref==3.13.0",
        "Django==5.2.19",
        "django-djconfig==0.11.0",
        "django-haystack==3.4.0",
        "django-infinite-scroll-pagination==1.3.0",
        "django-spirit==0.14.3",
        "gunicorn==27.0.1",
        "mistune==0.8.4",
        "olefile==0.47",
        "packaging==26.4",
        "pillow==13.0.0",
        "sqlparse==0.6.1",
        "tzdata==2026.6",
        "Whoosh==2.7.4",
    ),  # fmt: skip
    **project(SETTINGS, URLS, SEED),
    logged_in_marker="Log out",
)
