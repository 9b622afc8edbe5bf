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
class ArticlePlan:
    """A shared article as its card would have been extracted from the (fictional) site."""

    url: str
    site_name: str
    title: str
    author: str | None
    age_days: float  # published this long before it was first shared
    blocks: tuple[tuple[str, str], ...]  # the reader view: ("p" | "h2" | "quote", text)
    image: str | None  # a file in web/static/demo/
    caption: str | None


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
    article: ArticlePlan | None = None  # what the link's card shows; every link has one


def article(
    url: str,
    *,
    site: str,
    title: str,
    author: str | None,
    age_days: float,
    text: str,
    image: str | None = None,
    caption: str | None = None,
) -> ArticlePlan:
    """An article; ``text`` is paragraphs between blank lines, "## " starting a heading and
    "> " a quotation, each may wrap over several indented lines."""
    blocks = []
    for chunk in cleandoc(text).split("\n\n"):
        words = " ".join(chunk.split())
        if words.startswith("## "):
            blocks.append(("h2", words[3:]))
        elif words.startswith("> "):
            blocks.append(("quote", words[2:]))
        else:
            blocks.append(("p", words))
    return ArticlePlan(url, site, title, author, age_days, tuple(blocks), image, caption)


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
    article: ArticlePlan | None = None,
    link: str | None = None,
    span_days: float = 3.0,
) -> DiscussionPlan:
    """A discussion; the body may be an indented triple-quoted string, it is dedented here.

    A shared article is linked by its own address unless ``link`` gives another spelling.
    """
    link = link or (article.url if article else None)
    return DiscussionPlan(
        group, author, title, link, cleandoc(body), days_ago, comments, span_days, article
    )
