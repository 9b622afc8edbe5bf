"""The shape of the demo content: plain data that seeding walks through, written by hand."""

from __future__ import annotations

from dataclasses import dataclass
from inspect import cleandoc


@dataclass(frozen=True)
class Person:
    name: str
    display_name: str
    bio: str


@dataclass(frozen=True)
class GroupPlan:
    slug: str
    name: str
    host: str
    description: str
    rules: str
    members: tuple[str, ...]  # besides the host, in the order they join
    days_ago: float  # when the group was founded


@dataclass(frozen=True)
class ReplyPlan:
    author: str
    text: str


@dataclass(frozen=True)
class CommentPlan:
    author: str
    text: str
    replies: tuple[ReplyPlan, ...] = ()


@dataclass(frozen=True)
class DiscussionPlan:
    group: str  # slug
    author: str
    title: str
    link: str | None
    body: str
    days_ago: float  # when it was started
    comments: tuple[CommentPlan, ...]
    span_days: float = 3.0  # how long the conversation went on


def comment(author: str, text: str, *replies: ReplyPlan) -> CommentPlan:
    return CommentPlan(author, cleandoc(text), replies)


def reply(author: str, text: str) -> ReplyPlan:
    return ReplyPlan(author, cleandoc(text))


def discussion(
    group: str,
    author: str,
    title: str,
    *,
    days_ago: float,
    body: str,
    comments: tuple[CommentPlan, ...] = (),
    link: str | None = None,
    span_days: float = 3.0,
) -> DiscussionPlan:
    """A discussion; the body may be an indented triple-quoted string, it is dedented here."""
    return DiscussionPlan(group, author, title, link, cleandoc(body), days_ago, comments, span_days)
