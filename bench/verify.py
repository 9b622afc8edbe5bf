"""Recompute every denormalized counter from the rows and report where they disagree.

The generator writes counters itself instead of going through the domain layer, so
this is its proof: each check is a query counting rows that break one rule the domain
layer keeps. Plain SQL that SQLite and PostgreSQL both run.
"""

from __future__ import annotations

import random

from sqlalchemy import Engine, text

from townsquare.text.markdown import cook

# (rule, query counting the rows that break it)
CHECKS = (
    (
        "group.member_count is its active memberships",
        """SELECT count(*) FROM grp g WHERE g.member_count !=
           (SELECT count(*) FROM membership m WHERE m.group_id = g.id AND m.state = 'active')""",
    ),
    (
        "group.discussion_count is its live discussions",
        """SELECT count(*) FROM grp g WHERE g.discussion_count !=
           (SELECT count(*) FROM discussion d WHERE d.group_id = g.id AND d.state = 'live')""",
    ),
    (
        "each group's creator is its host",
        """SELECT count(*) FROM grp g WHERE NOT EXISTS (SELECT 1 FROM membership m
           WHERE m.group_id = g.id AND m.member_id = g.created_by_id AND m.role = 'host')""",
    ),
    (
        "discussion authors belong to the group",
        """SELECT count(*) FROM discussion d WHERE NOT EXISTS (SELECT 1 FROM membership m
           WHERE m.group_id = d.group_id AND m.member_id = d.author_id)""",
    ),
    (
        "discussion.comment_count is its live comments and replies",
        """SELECT count(*) FROM discussion d WHERE d.comment_count !=
           (SELECT count(*) FROM comment c WHERE c.discussion_id = d.id AND c.state = 'live')""",
    ),
    (
        "discussion.top_count is its comments (not replies), deleted ones included",
        """SELECT count(*) FROM discussion d WHERE d.top_count !=
           (SELECT count(*) FROM comment c WHERE c.discussion_id = d.id AND c.parent_id IS NULL)""",
    ),
    (
        "discussion.like_count is its likes",
        """SELECT count(*) FROM discussion d WHERE d.like_count != (SELECT count(*) FROM like_ l
           WHERE l.target_type = 'discussion' AND l.target_id = d.id)""",
    ),
    (
        "comments take positions 1..n in the order of their ids",
        """SELECT count(*) FROM (SELECT c.position, row_number() OVER
             (PARTITION BY c.discussion_id ORDER BY c.id) AS n
           FROM comment c WHERE c.parent_id IS NULL) AS ranked WHERE ranked.position != ranked.n""",
    ),
    (
        "a reply carries its comment's position, one level deep, after it",
        """SELECT count(*) FROM comment r JOIN comment p ON p.id = r.parent_id
           WHERE r.position != p.position OR p.parent_id IS NOT NULL
              OR p.discussion_id != r.discussion_id OR p.created_at >= r.created_at""",
    ),
    (
        "comment.reply_count is its live replies",
        # Grouped first: comment.parent_id has no index, so a correlated count would scan.
        """SELECT count(*) FROM comment c LEFT JOIN (SELECT parent_id, count(*) AS n
             FROM comment WHERE parent_id IS NOT NULL AND state = 'live' GROUP BY parent_id)
           AS r ON r.parent_id = c.id WHERE c.reply_count != coalesce(r.n, 0)""",
    ),
    (
        "comment.like_count is its likes",
        """SELECT count(*) FROM comment c WHERE c.like_count != (SELECT count(*) FROM like_ l
           WHERE l.target_type = 'comment' AND l.target_id = c.id)""",
    ),
    (
        "comment authors belong to the group",
        """SELECT count(*) FROM comment c JOIN discussion d ON d.id = c.discussion_id
           WHERE NOT EXISTS (SELECT 1 FROM membership m
             WHERE m.group_id = d.group_id AND m.member_id = c.author_id)""",
    ),
    (
        "deleted comments, and only they, have deleted_at",
        """SELECT count(*) FROM comment c
           WHERE (c.state = 'deleted') != (c.deleted_at IS NOT NULL)""",
    ),
)


# Rules about time order. The generator keeps them; comments the app writes concurrently
# (the W1 row) can break them today, because add_comment reads the clock before it takes
# the discussion's lock: a later-locked comment may carry an earlier time, and the last
# writer's time (not the latest) becomes last_activity_at.
TIME_ORDER = (
    (
        "group.last_activity_at is its latest creation, discussion or comment",
        """SELECT count(*) FROM grp g WHERE g.last_activity_at != (
             SELECT max(t) FROM (
               SELECT g.created_at AS t
               UNION ALL SELECT max(d.created_at) FROM discussion d WHERE d.group_id = g.id
               UNION ALL SELECT max(c.created_at) FROM comment c
                 JOIN discussion d ON d.id = c.discussion_id WHERE d.group_id = g.id
             ) AS times)""",
    ),
    (
        "discussion.last_activity_at is its creation or its latest comment",
        """SELECT count(*) FROM discussion d WHERE d.last_activity_at != coalesce(
           (SELECT max(c.created_at) FROM comment c WHERE c.discussion_id = d.id), d.created_at)""",
    ),
    (
        "ids follow the order comments were written",
        """SELECT count(*) FROM (SELECT
             row_number() OVER (PARTITION BY discussion_id ORDER BY id) AS by_id,
             row_number() OVER (PARTITION BY discussion_id ORDER BY created_at, id) AS by_time
           FROM comment) AS ranked WHERE ranked.by_id != ranked.by_time""",
    ),
)


Rules = tuple[tuple[str, str], ...]


def problems(engine: Engine, rules: Rules = CHECKS + TIME_ORDER, sample: int = 200) -> list[str]:
    """Every broken rule with how many rows break it (and a sample of comments' cooking
    checked); an empty list means consistent."""
    found = []
    with engine.connect() as conn:
        for rule, query in rules:
            bad = conn.scalar(text(query))
            if bad:
                found.append(f"{rule}: {bad} rows disagree")
        # Cooking is the one derived value SQL cannot recompute; check a fixed sample.
        rows = conn.execute(text("SELECT id, body_src, body_html FROM comment")).all()
        for row in random.Random(0).sample(rows, min(sample, len(rows))):
            if cook(row.body_src) != row.body_html:
                found.append(f"comment {row.id}: body_html is not cook(body_src)")
    return found
