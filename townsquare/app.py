"""create_app(settings): the ASGI application, wired. No logic lives here."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from townsquare import __version__
from townsquare.api.routes import router as api_router
from townsquare.config import Settings
from townsquare.db.engine import make_engine, make_sessionmaker
from townsquare.domain.discussions import shown as discussion_shown
from townsquare.domain.events import discussion_channel
from townsquare.jobs.queue import Jobs
from townsquare.live.bus import FILE_NAME as LIVE_FILE
from townsquare.live.bus import end_streams_on_exit, make_bus
from townsquare.ops.metrics import watch_jobs
from townsquare.ops.middleware import OpsMiddleware
from townsquare.ratelimit import Limiter, Rate
from townsquare.versions import versions_for
from townsquare.web import errors as web_errors
from townsquare.web import live as web_live
from townsquare.web.assets import HashedStatic
from townsquare.web.fragments import Fragments, KeptRows
from townsquare.web.keptpages import KeptPages
from townsquare.web.pagecache import PageCache, cache_budgets
from townsquare.web.routes import router as web_router
from townsquare.web.security import SecurityMiddleware
from townsquare.web.templating import make_templates

STATIC = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings, *, worker: bool = False) -> FastAPI:
    """``worker``: this process serves the app and nothing else (``townsquare serve``), so
    it may tune the garbage collector for it; tests and commands leave it as it is."""
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        restore_signals = end_streams_on_exit(app.state.live)
        if worker:
            # What start-up built (modules, templates, routes) lives as long as the worker:
            # out of the collector's sight, a full collection no longer walks it mid-request.
            gc.collect()
            gc.freeze()
            gc.set_threshold(10_000, 20, 20)
        yield
        restore_signals()
        await app.state.live.close()
        await app.state.limiter.close()
        await engine.dispose()

    app = FastAPI(
        title="townsquare API",
        version=__version__,
        summary="Groups, discussions, comments and replies, likes.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # townsquare reports through its own access log and /metrics, not OpenTelemetry;
        # off, FastAPI skips looking for providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.secret = settings.resolved_secret()
    app.state.engine = engine
    app.state.jobs = jobs = Jobs(settings)
    watch_jobs(jobs)
    shared = settings.data_dir / LIVE_FILE if settings.shared_live else None
    app.state.live = live = make_bus(settings.redis_url, shared)
    app.state.sessionmaker = make_sessionmaker(
        engine, on_commit=jobs.enqueue_all, settings=settings, on_live=live.publish_all
    )
    # Kept pages answered before routing read two rows and rarely write one (a visit). On
    # PostgreSQL their connections run in autocommit: no BEGIN and ROLLBACK round trips
    # (bench R1L 775 -> about 1,270 rps there). SQLite's reads begin no transaction anyway.
    reads = engine if settings.is_sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")
    app.state.read_sessionmaker = make_sessionmaker(
        reads, on_commit=jobs.enqueue_all, settings=settings, on_live=live.publish_all
    )
    app.state.templates = make_templates(settings)
    # The cursor a discussion page carries, so its live stream starts where the page ends.
    app.state.templates.env.globals["discussion_shown"] = discussion_shown
    app.state.templates.env.globals["live_cursor"] = lambda d_id: live.latest(
        discussion_channel(d_id)
    )
    app.state.limiter = Limiter(settings.redis_url, settings.data_dir / "ratelimit.db")
    app.state.rates = {
        "signup": Rate.parse(settings.signup_rate),
        "login": Rate.parse(settings.login_rate),
        "post": Rate.parse(settings.post_rate),
        "reset": Rate.parse(settings.reset_rate),
        "search": Rate.parse(settings.search_rate),
    }

    app.state.page_versions = versions_for(settings.data_dir, settings.redis_url)
    app.state.fragments = Fragments(cache_budgets(settings)[1], settings.page_cache_verify)
    app.state.kept_pages = KeptPages(app.state.fragments, settings.page_cache_seconds)
    macros = app.state.templates.env.get_template("_macros.html").module
    app.state.templates.env.globals["kept_row"] = KeptRows(
        app.state.fragments, macros.discussion_row
    )
    # Starlette runs the last added outermost: the security headers wrap the page cache.
    app.add_middleware(
        PageCache, settings=settings, secret=app.state.secret, versions=app.state.page_versions
    )
    app.add_middleware(SecurityMiddleware)
    # Outermost (added last): request ids, access log, metrics, /healthz /readyz /metrics.
    app.add_middleware(OpsMiddleware, settings=settings, engine=engine, jobs=jobs)
    app.mount("/static", HashedStatic(directory=STATIC), name="static")
    app.include_router(api_router)
    app.include_router(web_live.router)
    app.include_router(web_router)
    web_errors.install(app)
    return app
