"""Live updates: events that follow committed writes, fanned out to open pages.

``domain.events.announce`` records an event in the writing transaction; the session hands
it to the bus (``live.bus``) only after the commit. The bus delivers it to every stream
open on its channel — in this process (memory) or in every worker (Redis) — and keeps
recent events so a reconnecting page can ask for what it missed (``Last-Event-ID``).
``web/live.py`` turns a channel into a Server-Sent Events stream for one viewer.
"""
