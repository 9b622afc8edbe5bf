"""Email end to end through a real SMTP server in-process (aiosmtpd): notifications,
unsubscribe links, the digest, password reset and address confirmation."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import PASSWORD
from tests.mailbox import body, confirm, link, run_jobs, start
from townsquare.db.models import EmailToken, Member, Notification, NotificationSetting, utcnow
from townsquare.domain import likes


@pytest.fixture
def smtp(settings):
    controller, box = start(settings)
    yield box
    controller.stop()


async def _answered(db, make):
    """Host's comment, replied to by Alice: the reply email for host is queued."""
    host, alice = await make.member("host"), await make.member("alice")
    await confirm(db, host, alice)
    group = await make.group(host, members=(alice,))
    d = await make.discussion(group, host, title="Harbour walls")
    c = await make.comment(d, host, body="The wall is old.")
    reply = await make.comment(d, alice, body="Older than the town", parent=c)
    return host, alice, d, reply


async def test_a_reply_is_emailed_with_its_permalink_and_an_unsubscribe_link(
    app, db, make, smtp, client_factory
):
    """The reply email reaches the author: subject, recipient, permalink, a working unsubscribe."""
    host, _alice, d, reply = await _answered(db, make)
    await run_jobs(app)
    [msg] = smtp.to("host@example.org")
    assert msg["Subject"] == "Alice replied to your comment in “Harbour walls”"
    assert msg["X-Envelope-To"] == "host@example.org"
    assert link(msg, "/d/") == f"/d/{d.id}/c/{reply.id}"
    unsubscribe = link(msg, "/unsubscribe/")
    assert msg["List-Unsubscribe"].endswith(unsubscribe + ">")

    stranger = client_factory()  # no session at all
    page = await stranger.get(unsubscribe)
    assert page.status_code == 200 and "Replies to your comments".lower() in page.text
    done = await stranger.form(unsubscribe)
    assert done.status_code == 200 and "Done" in done.text
    mode = await db.scalar(
        select(NotificationSetting.email).where(
            NotificationSetting.member_id == host.id, NotificationSetting.kind == "reply"
        )
    )
    assert mode == "never"


async def test_a_tampered_unsubscribe_link_is_refused(app, db, make, smtp, client_factory):
    """Changing the member or kind in the link breaks its signature: 404, nothing changes."""
    host, *_ = await _answered(db, make)
    await run_jobs(app)
    unsubscribe = link(smtp.to("host@example.org")[0], "/unsubscribe/")
    member_id, kind, expires, mac = unsubscribe.rsplit("/", 1)[1].split(".")
    forged = f"/unsubscribe/{int(member_id) + 1}.{kind}.{expires}.{mac}"
    stranger = client_factory()
    assert (await stranger.get(forged)).status_code == 404
    assert (await stranger.form(forged)).status_code == 404
    assert (await stranger.form(f"/unsubscribe/{member_id}.all.{expires}.{mac}")).status_code == 404
    assert await db.scalar(select(NotificationSetting)) is None


async def test_no_email_for_a_notification_read_in_the_app_first(app, db, make, smtp, client):
    """Reading it on the site before the queue runs means no email."""
    host, *_ = await _answered(db, make)
    await client.log_in_as(db, host)
    await client.form("/notifications/read")
    await run_jobs(app)
    assert smtp.to("host@example.org") == []


async def test_unconfirmed_addresses_get_no_notification_email(app, db, make, smtp):
    """Only confirmed addresses receive notification emails."""
    host, alice = await make.member("host"), await make.member("alice")
    group = await make.group(host, members=(alice,))
    d = await make.discussion(group, host)
    await make.comment(d, alice)
    await run_jobs(app)
    assert smtp.messages == []


async def test_the_daily_digest_holds_likes_and_new_discussions_once(app, db, make, smtp):
    """Likes (digest by default) and new discussions in your groups come in one digest a day."""
    host, fans = await make.member("host"), [await make.member() for _ in range(3)]
    await confirm(db, host)
    group = await make.group(host, members=tuple(fans))
    d = await make.discussion(group, host, title="Lighthouses")
    c = await make.comment(d, fans[0], body="Nice")
    mine = await make.comment(d, host, body="Thanks", parent=c)
    await run_jobs(app)
    smtp.clear()  # the comment on host's discussion was emailed at once
    for fan in fans:
        await likes.set_like(db, fan, "comment", mine.id, True)
    await make.discussion(group, fans[1], title="Ferry timetables")
    await run_jobs(app)
    assert smtp.to("host@example.org") == []  # likes wait for the digest

    app.state.jobs.enqueue("send_digests")
    await run_jobs(app)
    [digest] = smtp.to("host@example.org")
    text = body(digest)
    assert digest["Subject"] == "Your daily digest from townsquare"
    assert "3 people liked your reply in “Lighthouses”" in text
    assert f"/d/{d.id}/c/{mine.id}" in text
    assert "Ferry timetables (Group" in text
    assert "/unsubscribe/" in text

    app.state.jobs.enqueue("send_digests")
    await run_jobs(app)
    assert len(smtp.to("host@example.org")) == 1  # not twice in a day


async def test_password_reset_end_to_end_works_once(app, db, make, smtp, client, client_factory):
    """Forgot → email → link → new password logs in; the link then refuses a second use."""
    member = await make.member("rita")
    login_page = (await client.get("/login")).text
    assert 'href="/password/forgot"' in login_page
    r = await client.form("/password/forgot", {"email": "RITA@example.org"})
    assert r.status_code == 200 and "we have emailed it a link" in r.text
    await run_jobs(app)
    [msg] = smtp.to("rita@example.org")
    assert msg["Subject"] == "Reset your password on townsquare"
    reset = link(msg, "/password/reset/")
    assert (await client.get(reset)).status_code == 200
    r = await client.form(reset, {"password": "a brand new secret"})
    assert r.status_code == 303
    browser = client_factory()
    ok = await browser.form("/login", {"login": "rita", "password": "a brand new secret"})
    assert ok.status_code == 303
    old = await client_factory().form("/login", {"login": "rita", "password": PASSWORD})
    assert old.status_code == 422
    again = await client.form(reset, {"password": "another new secret"})
    assert again.status_code == 400 and "already been used" in again.text
    await db.refresh(member)
    assert member.email_confirmed_at is not None  # the link proved the inbox


async def test_an_expired_reset_link_is_refused(app, db, make, smtp, client):
    """A reset link past its time is refused, and the password stays."""
    await make.member("sam")
    await client.form("/password/forgot", {"email": "sam@example.org"})
    await run_jobs(app)
    reset = link(smtp.to("sam@example.org")[0], "/password/reset/")
    await db.execute(update(EmailToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    await db.commit()
    assert (await client.get(reset)).status_code == 400
    r = await client.form(reset, {"password": "a brand new secret"})
    assert r.status_code == 400


async def test_an_unknown_address_gets_the_same_answer_and_no_email(app, smtp, client):
    """Asking for a reset does not reveal whether an account exists."""
    r = await client.form("/password/forgot", {"email": "nobody@example.org"})
    assert r.status_code == 200 and "we have emailed it a link" in r.text
    await run_jobs(app)
    assert smtp.messages == []


async def test_sign_up_sends_a_confirmation_link_that_confirms(app, db, smtp, client):
    """A new member gets a confirmation email; its link confirms the address."""
    r = await client.form(
        "/signup", {"name": "nina", "email": "nina@example.org", "password": "long enough pw"}
    )
    assert r.status_code == 303
    await run_jobs(app)
    [msg] = smtp.to("nina@example.org")
    assert msg["Subject"] == "Confirm your email address for townsquare"
    page = await client.get(link(msg, "/confirm/"))
    assert page.status_code == 200 and "is confirmed" in page.text
    member = await db.scalar(select(Member).where(Member.name == "nina"))
    await db.refresh(member)
    assert member.email_confirmed_at is not None
    assert (await client.get(link(msg, "/confirm/"))).status_code == 400


async def test_without_an_smtp_server_emails_are_written_to_files(app, db, make, settings):
    """With no smtp_host, each email lands as a .eml file in <data_dir>/mail/."""
    assert settings.writes_mail_to_files
    settings.mail_delay = 0
    host, *_ = await _answered(db, make)
    await run_jobs(app)
    files = list((settings.data_dir / "mail").glob("*.eml"))
    assert len(files) == 1 and b"To: host@example.org" in files[0].read_bytes()
    assert await db.scalar(select(Notification.emailed_at).where(Notification.kind == "reply"))
