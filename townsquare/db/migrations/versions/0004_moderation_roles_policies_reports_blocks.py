"""moderation: roles, policies, reports, blocks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New NOT NULL columns carry server defaults so existing rows get a value.
    op.create_table(
        "block",
        sa.Column(
            "blocker_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "blocked_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_id"],
            ["member.id"],
            name=op.f("fk_block_blocked_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"],
            ["member.id"],
            name=op.f("fk_block_blocker_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_block")),
    )
    with op.batch_alter_table("block", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_block_blocked_id"), ["blocked_id"], unique=False)

    op.create_table(
        "report",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "reporter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column(
            "target_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False, server_default="active"),
        sa.Column(
            "resolved_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["grp.id"], name=op.f("fk_report_group_id_grp"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["member.id"],
            name=op.f("fk_report_reporter_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["member.id"],
            name=op.f("fk_report_resolved_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_report_open", ["state", "created_at"], unique=False)

    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removal_reason", sa.Text(), nullable=True))
        batch_op.create_index("ix_comment_state", ["state", "created_at"], unique=False)

    with op.batch_alter_table("discussion", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("promoted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("removal_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("grp", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("min_level", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(
            sa.Column("post_policy", sa.String(length=16), nullable=False, server_default="members")
        )
        batch_op.add_column(
            sa.Column(
                "comment_policy", sa.String(length=16), nullable=False, server_default="members"
            )
        )

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="active")
        )
        batch_op.add_column(
            sa.Column("mask_profanity", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.create_index(batch_op.f("ix_moderation_log_group_id"), ["group_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_log_group_id_grp"),
            "grp",
            ["group_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_moderation_log_group_id_grp"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_moderation_log_group_id"))
        batch_op.drop_column("group_id")

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("mask_profanity")
        batch_op.drop_column("state")

    with op.batch_alter_table("grp", schema=None) as batch_op:
        batch_op.drop_column("comment_policy")
        batch_op.drop_column("post_policy")
        batch_op.drop_column("min_level")

    with op.batch_alter_table("discussion", schema=None) as batch_op:
        batch_op.drop_column("removal_reason")
        batch_op.drop_column("promoted")

    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_state")
        batch_op.drop_column("removal_reason")

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_open")
        batch_op.drop_index(batch_op.f("ix_report_group_id"))

    op.drop_table("report")
    with op.batch_alter_table("block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_block_blocked_id"))

    op.drop_table("block")
