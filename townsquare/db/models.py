"""The schema: typed SQLAlchemy models. Changes go through an Alembic revision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite keeps integer primary keys as 64-bit rowids only when declared INTEGER.
Id = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


def set_loaded(session: Any, model: type[Base], pk: Any, **values: Any) -> None:
    """Give an object this session already holds the values a Core statement just wrote,
    as loaded values (nothing to flush). The ORM's own UPDATE does this for itself; a
    statement run on the session's connection does not."""
    mapper = inspect(model)
    obj = session.identity_map.get(mapper.identity_key_from_primary_key((pk,)))
    if obj is None:
        return
    for name, value in values.items():
        set_committed_value(obj, name, value)
    # Columns the database computes from others (a discussion's score) are stale now: the
    # next query that reads the row loads them again, as after the ORM's own UPDATE.
    generated = _GENERATED.get(model)
    if generated is None:
        generated = _GENERATED[model] = [
            attr.key
            for attr in mapper.column_attrs
            if any(getattr(c, "computed", None) is not None for c in attr.columns)
        ]
    if generated:
        session.expire(obj, generated)


_GENERATED: dict[type, list[str]] = {}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC without a zone (same on both backends) and always returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Member(Base):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)  # lower-case handle, used in URLs
    display_name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    bio: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(16), default="member")  # member / moderator / admin
    state: Mapped[str] = mapped_column(String(16), default="active")  # active / banned
    mask_profanity: Mapped[bool] = mapped_column(Boolean, default=False)
    level: Mapped[int] = mapped_column(Integer, default=1)
    points: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Email other than confirmation and password resets goes only to a confirmed address.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Session(Base):
    """A log-in. The cookie holds a random token; we store only its hash, so it can be revoked."""

    __tablename__ = "session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="web")  # web (cookie) / api (bearer)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Group(Base):
    __tablename__ = "grp"  # "group" is a reserved word in SQL

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    slug: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    rules_src: Mapped[str] = mapped_column(Text, default="")
    rules_html: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default="public")  # public / private
    join_policy: Mapped[str] = mapped_column(String(16), default="open")  # open / request / level
    min_level: Mapped[int] = mapped_column(Integer, default=1)  # for join_policy "level"
    # Who may start discussions and who may comment: anyone / members / moderators.
    post_policy: Mapped[str] = mapped_column(String(16), default="members")
    comment_policy: Mapped[str] = mapped_column(String(16), default="members")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    discussion_count: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_grp_activity", "last_activity_at", "id"),)


class Membership(Base):
    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("grp.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")  # host / moderator / member
    state: Mapped[str] = mapped_column(String(16), default="active")  # active / requested / banned
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("group_id", "member_id", name="uq_membership_pair"),)


class Link(Base):
    """A shared web page, one row per normalized URL, reused by every discussion that shares it."""

    __tablename__ = "link"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    url: Mapped[str] = mapped_column(Text)  # normalized
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of url
    # The page's own canonical URL (normalized) when it names one, else url: "also discussed
    # in" matches on this, so two addresses of one article meet.
    canonical_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    canonical_hash: Mapped[str] = mapped_column(String(64), index=True)
    final_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending / ok / failed
    error_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16), default="article")  # article / file
    file_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    site_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    author: Mapped[str | None] = mapped_column(String(300), nullable=True)
    published: Mapped[date | None] = mapped_column(Date, nullable=True)
    lead: Mapped[str | None] = mapped_column(Text, nullable=True)
    image: Mapped[str | None] = mapped_column(Text, nullable=True)
    caption: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)  # plain text, for search
    blocks: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON [[kind, value]…]
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Discussion(Base):
    __tablename__ = "discussion"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("grp.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    link_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("link.id", ondelete="SET NULL"), nullable=True, index=True
    )
    body_src: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(
        String(16), default="live"
    )  # live / pending / removed / deleted
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    promoted: Mapped[bool] = mapped_column(Boolean, default=False)  # on the site's front page
    removal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # shown to the author
    # Counters kept in the same transaction as the writes that change them.
    comment_count: Mapped[int] = mapped_column(Integer, default=0)  # live comments and replies
    top_count: Mapped[int] = mapped_column(Integer, default=0)  # positions handed out so far
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    # The "Top" tab's order, kept by the database itself from the two counters.
    score: Mapped[int] = mapped_column(Integer, Computed("like_count + comment_count"))
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    author: Mapped[Member] = relationship(lazy="raise")
    group: Mapped[Group] = relationship(lazy="raise")
    link: Mapped[Link | None] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_discussion_group_feed", "group_id", "state", "last_activity_at", "id"),
        Index("ix_discussion_feed", "state", "last_activity_at", "id"),
        Index("ix_discussion_new", "state", "created_at", "id"),
        Index("ix_discussion_group_new", "group_id", "state", "created_at", "id"),
        Index("ix_discussion_top", "state", "score", "id"),
        Index("ix_discussion_group_top", "group_id", "state", "score", "id"),
        Index("ix_discussion_promoted", "promoted", "state", "last_activity_at", "id"),
        Index("ix_discussion_pinned", "group_id", "pinned", "state", "last_activity_at", "id"),
    )


class Comment(Base):
    """A comment on a discussion, or (with parent_id) a reply to one; replies are one level deep."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussion.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), nullable=True
    )
    # 1, 2, 3… for comments in the order written; a reply carries its comment's position,
    # so page N is the range ((N-1)*per_page, N*per_page] and a permalink knows its page.
    position: Mapped[int] = mapped_column(Integer)
    body_src: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="live")
    removal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    author: Mapped[Member] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_comment_page", "discussion_id", "position", "id"),
        Index("ix_comment_parent", "parent_id"),  # reply lookups and the delete cascade
        Index("ix_comment_state", "state", "created_at"),  # the review queue, oldest first
    )


class Like(Base):
    """One like per member per item; target_type is 'discussion' or 'comment'."""

    __tablename__ = "like_"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    target_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[int] = mapped_column(Id, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_like_target", "target_type", "target_id"),)


class PointsEntry(Base):
    """One award in the points ledger. The unique key makes awarding idempotent; deleting
    the row takes back exactly what it gave."""

    __tablename__ = "points_ledger"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int] = mapped_column(Integer)
    source_type: Mapped[str] = mapped_column(String(16))  # discussion / comment
    source_id: Mapped[int] = mapped_column(Id)
    actor_id: Mapped[int] = mapped_column(
        Id
    )  # who did it (the liker, the commenter, or the member)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint(
            "member_id", "reason", "source_type", "source_id", "actor_id", name="uq_points_award"
        ),
        Index("ix_points_source", "source_type", "source_id"),
        Index("ix_points_member_reason", "member_id", "reason"),
    )


class ModerationLog(Base):
    """Who removed, restored or changed what, and why."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Id)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("grp.id", ondelete="CASCADE"), nullable=True, index=True
    )  # set for actions inside a group: its moderators see them
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DiscussionVisit(Base):
    """When a member last read a discussion: what is newer is unread for them."""

    __tablename__ = "discussion_visit"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("discussion.id", ondelete="CASCADE"), primary_key=True
    )
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(Base):
    """A member's report of a discussion, comment or member, for moderators to resolve."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(16))  # discussion / comment / member
    target_id: Mapped[int] = mapped_column(Id)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("grp.id", ondelete="CASCADE"), nullable=True, index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open / resolved / dismissed
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_report_open", "state", "created_at"),)


class Block(Base):
    """A member hiding another member's posts from themself. Private to the blocker."""

    __tablename__ = "block"

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Base):
    """Something that happened to a member: an answer, a mention, likes, a decision, a level.

    Likes on one item fold into one unread row (``count`` goes up, ``actor_id`` is the
    latest), so the page says "3 people liked your comment" without grouping at read time.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("grp.id", ondelete="CASCADE"), nullable=True
    )
    discussion_id: Mapped[int | None] = mapped_column(
        ForeignKey("discussion.id", ondelete="CASCADE"), nullable=True, index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), nullable=True, index=True
    )
    count: Mapped[int] = mapped_column(Integer, default=1)
    detail: Mapped[str] = mapped_column(Text, default="")  # a removal reason, a level number
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_notification_unread", "recipient_id", "read_at"),  # the header's count
        Index("ix_notification_list", "recipient_id", "id"),  # the page, newest first
    )


class NotificationSetting(Base):
    """How a member wants one kind of notification emailed: immediately, digest, never.

    No row means the kind's default (see domain/notifications.py)."""

    __tablename__ = "notification_setting"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    email: Mapped[str] = mapped_column(String(16))  # immediately / digest / never


class EmailToken(Base):
    """A single-use, expiring link sent by email (password reset, address confirmation).

    Only the SHA-256 of the token is stored, like log-in sessions."""

    __tablename__ = "email_token"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # reset / confirm
    email: Mapped[str] = mapped_column(String(254))  # the address it was sent to
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
