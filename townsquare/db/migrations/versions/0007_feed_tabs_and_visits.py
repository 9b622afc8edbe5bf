"""feed tabs (new, top, front page) and unread markers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A generated column: SQLite adds it as VIRTUAL (indexable), PostgreSQL as STORED.
    # Added outside batch mode so SQLite's ALTER TABLE does it without copying the table.
    stored = True if op.get_bind().dialect.name == "postgresql" else None
    op.add_column(
        "discussion",
        sa.Column(
            "score",
            sa.Integer(),
            sa.Computed("like_count + comment_count", persisted=stored),
            nullable=True,
        ),
    )
    op.create_index("ix_discussion_new", "discussion", ["state", "created_at", "id"])
    op.create_index(
        "ix_discussion_group_new", "discussion", ["group_id", "state", "created_at", "id"]
    )
    op.create_index("ix_discussion_top", "discussion", ["state", "score", "id"])
    op.create_index("ix_discussion_group_top", "discussion", ["group_id", "state", "score", "id"])
    op.create_index(
        "ix_discussion_promoted", "discussion", ["promoted", "state", "last_activity_at", "id"]
    )
    op.create_index("ix_discussion_pinned", "discussion", ["group_id", "pinned", "state"])
    op.create_table(
        "discussion_visit",
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "discussion_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("visited_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["discussion_id"],
            ["discussion.id"],
            name=op.f("fk_discussion_visit_discussion_id_discussion"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_discussion_visit_member_id_member"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("member_id", "discussion_id", name=op.f("pk_discussion_visit")),
    )


def downgrade() -> None:
    op.drop_table("discussion_visit")
    for name in ("ix_discussion_pinned", "ix_discussion_promoted", "ix_discussion_group_top", "ix_discussion_top",
                 "ix_discussion_group_new", "ix_discussion_new"):  # fmt: skip
        op.drop_index(name, table_name="discussion")
    with op.batch_alter_table("discussion") as batch_op:
        batch_op.drop_column("score")
