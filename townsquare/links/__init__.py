"""Shared links: normalizing, safe fetching and extracting article cards.

A pure library (no database, no queue): ``normalize`` spells a URL one way,
``guard`` decides which addresses may be fetched, ``fetch`` gets a page under
strict limits, ``extract`` turns HTML into a ``Card``, and ``preview`` ties
them together for the queue job and the ``townsquare preview`` command.
"""
