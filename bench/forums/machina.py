"""django-machina: Django, SQLite, served by gunicorn.

Settings follow machina's "getting started" (its apps, its permission middleware, its
template and static directories), DEBUG off, SQLite and Django's in-process cache.
Members get machina's usual defaults through
``MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS``; anonymous visitors may see and
read, as on a public forum. machina shows 15 posts a topic page by default.
"""

from __future__ import annotations

from bench.forums import Forum
from bench.forums._django import SEED_PRELUDE, project

SETTINGS = """\
import os

from machina import MACHINA_MAIN_STATIC_DIR, MACHINA_MAIN_TEMPLATE_DIR

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
    "mptt",
    "haystack",
    "widget_tweaks",
    "machina",
    "machina.apps.forum",
    "machina.apps.forum_conversation",
    "machina.apps.forum_conversation.forum_attachments",
    "machina.apps.forum_conversation.forum_polls",
    "machina.apps.forum_feeds",
    "machina.apps.forum_moderation",
    "machina.apps.forum_search",
    "machina.apps.forum_tracking",
    "machina.apps.forum_member",
    "machina.apps.forum_permission",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "machina.apps.forum_permission.middleware.ForumPermissionMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [MACHINA_MAIN_TEMPLATE_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "machina.core.context_processors.metadata",
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
    "machina_attachments": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.path.join(BASE_DIR, "attachments-cache"),
    },
}
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS = [
    "can_see_forum",
    "can_read_forum",
    "can_start_new_topics",
    "can_reply_to_topics",
    "can_edit_own_posts",
    "can_post_without_approval",
    "can_create_polls",
    "can_vote_in_polls",
    "can_download_file",
]
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATICFILES_DIRS = [MACHINA_MAIN_STATIC_DIR]
STATIC_ROOT = os.path.join(BASE_DIR, "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = os.path.join(BASE_DIR, "media")
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
"""

URLS = """\
from django.urls import include, path

from machina import urls as machina_urls

urlpatterns = [path("forum/", include(machina_urls))]
"""

SEED = (
    SEED_PRELUDE
    + """
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from machina.apps.forum.models import Forum
from machina.apps.forum_conversation.models import Post, Topic
from machina.apps.forum_permission.models import ForumPermission, UserForumPermission

User = get_user_model()
password = make_password("bench-password")
with transaction.atomic():
    users = [
        User.objects.create(username=name, email=f"{name}@example.com", password=password)
        for name in MEMBERS + ["viewer"]
    ]
    for codename in ("can_see_forum", "can_read_forum"):
        UserForumPermission.objects.create(
            anonymous_user=True, has_perm=True, forum=None,
            permission=ForumPermission.objects.get(codename=codename),
        )
    forum = Forum.objects.create(name="General", type=Forum.FORUM_POST)
    topic = Topic.objects.create(
        forum=forum, poster=users[0], subject=TOPIC["title"], type=Topic.TOPIC_POST,
        status=Topic.TOPIC_UNLOCKED, approved=True,
    )
    # One save per post, as machina's own views do: it renders the markup and keeps the
    # topic's and forum's counters.
    for author, body in POSTS:
        Post.objects.create(
            topic=topic, poster=users[author], subject=TOPIC["title"], content=body,
            approved=True,
        )

path = reverse(
    "forum_conversation:topic",
    kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk, "slug": topic.slug, "pk": topic.pk},
)
done(path=path, cookie=session_cookie(users[-1]), per_page=15)
"""
)

FORUM = Forum(
    key="machina",
    title="django-machina 1.3.1",
    packages=(
        "asgiref==3.13.0",
        "Django==5.2.19",
        "django-haystack==3.4.0",
        "django-js-asset==5.0.0",
        "django-machina==1.3.1",
        "django-mptt==0.20.0",
        "django-widget-tweaks==1.5.1",
        "gunicorn==27.0.1",
        "markdown2==2.5.5",
        "packaging==26.4",
        "pillow==13.0.0",
        "sqlparse==0.6.1",
    ),
    **project(SETTINGS, URLS, SEED),
    logged_in_marker="View my posts",
)
