"""FlaskBB: Flask, SQLite, served by gunicorn.

FlaskBB's releases for Python 3.12 and newer are 2.2.0 and 3.0.0 release candidates;
2.0.2, the last for 3.11, dates from 2018. 2.2.0 does not import on 3.12 or 3.13 (an
annotation names ``Distribution``, imported only under TYPE_CHECKING, which only 3.14's
deferred annotations tolerate), and there is no 3.14 here; 3.0.0rc5 imports and runs on
3.12. So FlaskBB is 3.0.0rc5 in a virtualenv made from a Python 3.12 found on this
machine (pyenv's, else ``python3.12`` on PATH), not from the project's 3.11. Configured
as ``flaskbb makeconfig`` would for production without Redis
(DEBUG off, SQLite, in-process cache and rate-limit storage), installed with
``flaskbb install``, which also creates its welcome forum. FlaskBB shows 10 posts a
topic page by default.
"""

from __future__ import annotations

import glob
import os
import shutil

from bench.forums import Forum


def python312() -> str:
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = sorted(glob.glob(os.path.join(pyenv, "versions", "3.12*", "bin", "python3.12")))
    if candidates:  # pyenv's own, not its shim, which may refuse without a local version
        return candidates[-1]
    # Without one, venv creation fails and the table says so for FlaskBB's rows.
    return shutil.which("python3.12") or "python3.12"


CONFIG = """\
import os

from flaskbb.configs.default import DefaultConfig

HERE = os.path.dirname(os.path.abspath(__file__))
DEBUG = False
TESTING = False
PREFERRED_URL_SCHEME = "http"
SESSION_COOKIE_SECURE = False
SESSION_COOKIE_HTTPONLY = True
SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(HERE, "flaskbb.sqlite")
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ECHO = False
SECRET_KEY = "bench-not-secret"
WTF_CSRF_ENABLED = True
WTF_CSRF_SECRET_KEY = "bench-not-secret-either"
SEARCH_BACKEND = "sql"
TRUSTED_HOSTS = ["127.0.0.1", "localhost"]
REDIS_ENABLED = False
REDIS_URL = "redis://127.0.0.1:6379"
CELERY_CONFIG = {"broker_url": "memory://", "result_backend": "cache+memory://"}
RATELIMIT_STORAGE_URI = "memory://"
CACHE_TYPE = "SimpleCache"
CACHE_DEFAULT_TIMEOUT = 60
MAIL_SERVER = "127.0.0.1"
MAIL_PORT = 25
MAIL_DEFAULT_SENDER = ("Bench", "noreply@example.com")
ADMINS = ["admin@example.com"]
LOG_CONF_FILE = None
LOG_PATH = os.path.join(HERE, "logs")
os.makedirs(LOG_PATH, exist_ok=True)
LOG_DEFAULT_CONF = {"version": 1, "disable_existing_loggers": False}
"""

WSGI = """\
import os

from flaskbb import create_app

HERE = os.path.dirname(os.path.abspath(__file__))
app = create_app(os.path.join(HERE, "flaskbb.cfg"), instance_path=os.path.join(HERE, "instance"))
"""

SEED = """\
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from wsgi import app

from flaskbb.extensions import db
from flaskbb.forum.models import Forum, Post, Topic
from flaskbb.utils.populate import create_user

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "posts.json")) as f:
    TOPIC = json.load(f)

with app.app_context():
    users = [
        create_user(name, "bench-password", f"{name}@example.com", "member")
        for name in TOPIC["members"] + ["viewer"]
    ]
    forum = db.session.get(Forum, 1)  # the welcome forum "flaskbb install" made
    (first_author, first_body), *rest = TOPIC["posts"]
    topic = Topic(title=TOPIC["title"])
    topic.save(user=users[first_author], forum=forum, post=Post(content=first_body))
    # One save per post, as FlaskBB's views do: it keeps the topic, forum and user counts.
    for author, body in rest:
        Post(content=body).save(user=users[author], topic=topic)
    with app.test_request_context():
        path = topic.url
    viewer_id = users[-1].id

with app.test_client() as client:
    with client.session_transaction() as session:  # what Flask-Login's login_user stores
        session["_user_id"] = str(viewer_id)
        session["_fresh"] = True
    cookie = client.get_cookie("session").value
print("SEED " + json.dumps({"path": path, "cookie": "session=" + cookie, "per_page": 10}))
"""

FORUM = Forum(
    key="flaskbb",
    title="FlaskBB 3.0.0rc5",
    packages=(
        "alembic==1.20.1",
        "amqp==5.4.2",
        "attrs==26.1.0",
        "babel==2.19.0",
        "billiard==4.3.2",
        "blinker==1.9.0",
        "cachelib==0.17.0",
        "celery==5.7.0",
        "certifi==2026.10.19.post1",
        "charset-normalizer==3.5.3",
        "click==8.5.1",
        "click-didyoumean==0.3.1",
        "click-log==0.4.0",
        "click-plugins==1.1.1.2",
        "click-repl==0.4.1",
        "Deprecated==3.0.1",
        "dnspython==2.9.2",
        "email-validator==2.4.0",
        "Flask==3.1.3",
        "Flask-Alembic==3.3.0",
        "Flask-Allows2==1.3.0",
        "Flask-BabelPlus==2.5.0",
        "Flask-Caching==2.5.1",
        "Flask-DebugToolbar==0.16.0",
        "flask-debugtoolbar-warnings==0.1.0",
        "Flask-Limiter==4.1.1",
        "Flask-Login==0.6.3",
        "Flask-Mail==0.10.0",
        "Flask-SQLAlchemy==3.1.1",
        "Flask-Themes2==2.0.0",
        "Flask-WTF==1.3.0",
        "FlaskBB==3.0.0rc5",
        "flaskbb-plugin-conversations==3.0.7",
        "flaskbb-plugin-portal==3.0.4",
        "gunicorn==27.0.1",
        "idna==3.20",
        "itsdangerous==2.2.0",
        "Jinja2==3.1.6",
        "kombu==5.7.0",
        "limits==5.8.0",
        "Mako==1.4.3",
        "MarkupSafe==3.0.4",
        "mistune==3.4.0",
        "ordered-set==4.1.0",
        "packaging==26.4",
        "pillow==13.0.0",
        "pluggy==1.7.0",
        "prompt_toolkit==3.0.53",
        "Pygments==2.21.0",
        "PyJWT==2.15.1",
        "python-dateutil==2.9.0.post0",
        "pytz==2026.6",
        "redis==8.1.0",
        "requests==2.34.2",
        "six==1.17.0",
        "SQLAlchemy==2.1.9",
        "typing_extensions==4.16.0",
        "tzlocal==5.4.5",
        "Unidecode==1.4.0",
        "urllib3==2.8.0",
        "vine==5.1.0",
        "wcwidth==0.9.4",
        "Werkzeug==3.1.9",
        "wrapt==2.5.2",
        "WTForms==3.3.2",
        "WTForms-SQLAlchemy==0.4.2",
    ),
    files={"flaskbb.cfg": CONFIG, "wsgi.py": WSGI, "seed.py": SEED},
    setup=(
        (
            "-c",
            "import sys; from flaskbb.cli import flaskbb; sys.exit(flaskbb())",
            "--config",
            "flaskbb.cfg",
            "install",
            "--force",
            "--username",
            "admin",
            "--email",
            "admin@example.com",
            "--password",
            "bench-password",
        ),
    ),
    seed=("seed.py",),
    serve=(
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        "127.0.0.1:{port}",
        "--log-level",
        "warning",
        "wsgi:app",
    ),  # fmt: skip
    logged_in_marker="Logout",
    python=python312(),
)
