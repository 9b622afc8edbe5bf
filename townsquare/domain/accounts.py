"""Members and their log-ins: sign up, log in and out, profile, API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.models import Member, Session, utcnow
from townsquare.domain import mail
from townsquare.domain.errors import Invalid, NotFound, NotLoggedIn
from townsquare.domain.validate import Checker

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs

NAME_RE = re.compile(r"[a-z][a-z0-9_]{2,31}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
RESERVED = {"admin", "api", "static", "login", "logout", "signup", "settings", "townsquare"}
# Verifying against this when the name is unknown keeps log-in time the same either way.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def sign_up(
    db: AsyncSession, *, name: str, email: str, password: str, display_name: str = ""
) -> Member:
    """Create a member. The first member of a site becomes its admin."""
    check = Checker()
    name = check.text("name", name, label="Name", min_len=3, max_len=32).lower()
    if "name" not in check.errors and not NAME_RE.fullmatch(name):
        check.fail("name", "Use 3–32 letters, digits or _, starting with a letter.")
    if name in RESERVED:
        check.fail("name", "That name is reserved; pick another.")
    email = check.text("email", email, label="Email", min_len=1, max_len=254).lower()
    if "email" not in check.errors and not EMAIL_RE.fullmatch(email):
        check.fail("email", "That does not look like an email address.")
    display = check.text("display_name", display_name, label="Display name", max_len=64)
    if len(password or "") < 8:
        check.fail("password", "Use at least 8 characters.")
    elif len(password) > 200:
        check.fail("password", "Use at most 200 characters.")
    check.done()

    taken = await db.execute(
        select(Member.name, Member.email).where((Member.name == name) | (Member.email == email))
    )
    for row in taken:
        if row.name == name:
            check.fail("name", "That name is taken.")
        if row.email == email:
            check.fail("email", "An account with that email exists; log in instead.")
    check.done()

    first = (await db.scalar(select(func.count()).select_from(Member))) == 0
    member = Member(
        name=name,
        display_name=display or name,
        email=email,
        password_hash=hash_password(password),
        role="admin" if first else "member",
    )
    db.add(member)
    mail.on_sign_up(db, member)
    try:
        await db.commit()
    except IntegrityError:  # a sign-up with the same name won the race
        await db.rollback()
        raise Invalid({"name": "That name or email is taken."}) from None
    return member


async def login_key(db: AsyncSession, login: str) -> str:
    """What log-in attempts with ``login`` count against: the account it names, by name or
    by email alike; for a login that names no account, the login itself (hashed, so the
    limiter's keys hold no names). One indexed read either way."""
    login = (login or "").strip().lower()
    found = await db.scalar(
        select(Member.id).where((Member.name == login) | (Member.email == login))
    )
    if found is not None:
        return f"m:{found}"
    return "n:" + hashlib.sha256(login.encode()).hexdigest()[:32]


async def authenticate(db: AsyncSession, *, login: str, password: str) -> Member:
    """The member with this name or email and password, or Invalid with one vague message."""
    login = (login or "").strip().lower()
    member = await db.scalar(select(Member).where((Member.name == login) | (Member.email == login)))
    try:
        _hasher.verify(member.password_hash if member else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        member = None
    if member is None:
        raise Invalid({"password": "That name or email and password do not match."})
    if member.state == "banned":  # said only after the right password: no one else learns it
        raise Invalid({"password": "This account has been suspended by the site's moderators."})
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
        await db.commit()
    return member


async def open_session(
    db: AsyncSession, member: Member, *, days: int | None, kind: str = "web", label: str = ""
) -> str:
    """Start a log-in and return its secret token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=days) if days else None
    db.add(
        Session(id=token_hash(token), member_id=member.id, kind=kind, label=label[:100],
                expires_at=expires)
    )  # fmt: skip
    await db.commit()
    return token


# Built once: every logged-in request runs it.
_SESSION_MEMBER = (
    select(Member, Session.expires_at)
    .join(Session, Session.member_id == Member.id)
    .where(Session.id == bindparam("sid"), Session.kind == bindparam("kind"))
)


async def session_member(
    db: AsyncSession, token: str | None, *, kind: str = "web"
) -> tuple[Member, str] | None:
    """The member a cookie or bearer token belongs to, with the session id; None if expired."""
    found = await session_found(db, token, kind=kind)
    return None if found is None else (found[0], found[1])


async def session_found(
    db: AsyncSession, token: str | None, *, kind: str = "web"
) -> tuple[Member, str, datetime | None] | None:
    """``session_member`` with the session's end (None: it does not end)."""
    if not token or len(token) > 100:
        return None
    sid = token_hash(token)
    row = (await db.execute(_SESSION_MEMBER, {"sid": sid, "kind": kind})).first()
    if row is None:
        return None
    member, expires = row
    if expires is not None and expires < utcnow():
        return None
    if member.state == "banned":  # a ban ends sessions; this also covers any left behind
        return None
    return member, sid, expires


async def close_session(db: AsyncSession, session_id: str, member_id: int | None = None) -> None:
    """End a log-in. Naming its member, when known, lets the change tracker age only that
    member's kept sessions; by its id alone, every member's are read again."""
    ending = delete(Session).where(Session.id == session_id)
    if member_id is not None:
        ending = ending.where(Session.member_id == member_id)
    await db.execute(ending)
    await db.commit()


async def change_password(
    db: AsyncSession, actor: Member | None, *, current: str, new: str, keep_session: str | None
) -> Member:
    """Change one's own password after giving the current one. Every other log-in and API
    token of the member ends, so whoever learnt the old password is out; ``keep_session``
    (the session making the change) stays."""
    if actor is None:
        raise NotLoggedIn()
    member = await db.get(Member, actor.id)
    assert member is not None
    try:
        _hasher.verify(member.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        raise Invalid({"current_password": "That is not your current password."}) from None
    if len(new or "") < 8:
        raise Invalid({"password": "Use at least 8 characters."})
    if len(new) > 200:
        raise Invalid({"password": "Use at most 200 characters."})
    member.password_hash = hash_password(new)
    others = delete(Session).where(Session.member_id == member.id)
    if keep_session:
        others = others.where(Session.id != keep_session)
    await db.execute(others)
    await db.commit()
    return member


async def update_profile(
    db: AsyncSession, actor: Member | None, *, display_name: str, bio: str
) -> Member:
    if actor is None:
        raise NotLoggedIn()
    check = Checker()
    display = check.text("display_name", display_name, label="Display name", min_len=1,
                         max_len=64)  # fmt: skip
    bio = check.text("bio", bio, label="Bio", max_len=1000)
    check.done()
    member = await db.get(Member, actor.id)
    assert member is not None
    member.display_name = display
    member.bio = bio
    await db.commit()
    return member


async def member_by_name(db: AsyncSession, name: str) -> Member:
    member = await db.scalar(select(Member).where(Member.name == name.lower()))
    if member is None:
        raise NotFound("No member by that name.")
    return member


async def make_admin(db: AsyncSession, member: Member) -> None:
    member.role = "admin"
    await db.commit()
