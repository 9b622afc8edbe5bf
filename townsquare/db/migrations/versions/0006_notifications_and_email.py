"""notifications and email

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", _id(), nullable=False),
        sa.Column("recipient_id", _id(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("actor_id", _id(), nullable=True),
        sa.Column("group_id", _id(), nullable=True),
        sa.Column("discussion_id", _id(), nullable=True),
        sa.Column("comment_id", _id(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("emailed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["member.id"],
            name=op.f("fk_notification_recipient_id_member"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["member.id"],
            name=op.f("fk_notification_actor_id_member"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["grp.id"], name=op.f("fk_notification_group_id_grp"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["discussion_id"], ["discussion.id"],
            name=op.f("fk_notification_discussion_id_discussion"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comment.id"],
            name=op.f("fk_notification_comment_id_comment"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )  # fmt: skip
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_unread", ["recipient_id", "read_at"], unique=False)
        batch_op.create_index("ix_notification_list", ["recipient_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notification_discussion_id"), ["discussion_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_comment_id"), ["comment_id"], unique=False
        )

    op.create_table(
        "notification_setting",
        sa.Column("member_id", _id(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("email", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"],
            name=op.f("fk_notification_setting_member_id_member"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "kind", name=op.f("pk_notification_setting")),
    )  # fmt: skip

    op.create_table(
        "email_token",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("member_id", _id(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"],
            name=op.f("fk_email_token_member_id_member"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_token")),
    )  # fmt: skip
    with op.batch_alter_table("email_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_token_member_id"), ["member_id"], unique=False)

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("digest_sent_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("digest_sent_at")
        batch_op.drop_column("email_confirmed_at")
    op.drop_table("email_token")
    op.drop_table("notification_setting")
    op.drop_table("notification")
