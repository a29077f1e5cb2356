"""topics: the language a title is written in

Triage now stores a title's language with the title. Existing titles get the language the
screens guessed for them until now (a frozen copy of that rule is below: a migration must not
change when the code does), so readers see the same `lang` as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 09:00:00
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BATCH = 500

_SCRIPTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"[\u3040-\u30ff]"), ("ja",)),
    (re.compile(r"[\uac00-\ud7af]"), ("ko",)),
    (re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"), ("zh", "ja")),
    (re.compile(r"[\u0400-\u04ff]"), ("ru", "uk", "be", "bg", "sr", "mk", "kk")),
    (re.compile(r"[\u0600-\u06ff]"), ("ar", "fa", "ur")),
    (re.compile(r"[\u0e00-\u0e7f]"), ("th",)),
)
_NON_LATIN = {p for _, prefixes in _SCRIPTS for p in prefixes}


def guess_title_language(
    title: str, languages: Mapping[str, int], representatives: Sequence[tuple[str, str]]
) -> str:
    """Frozen copy of `userloop.views.titles.title_language` without a stored language;
    `representatives` are (language, text) pairs."""
    head = " ".join(title.split())[:12]
    if head:
        for language, text in representatives:
            if head in " ".join(text.split()):
                return language
    ranked = [tag for tag, _ in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))]
    for pattern, prefixes in _SCRIPTS:
        if pattern.search(title):
            fitting = [tag for tag in ranked if tag.split("-")[0] in prefixes]
            return fitting[0] if fitting else prefixes[0]
    latin = [tag for tag in ranked if tag.split("-")[0] not in _NON_LATIN]
    return latin[0] if latin else "und"


_topics = sa.table(
    "topics",
    sa.column("id", sa.BigInteger()),
    sa.column("title", sa.String()),
    sa.column("languages", sa.JSON()),
    sa.column("representatives", sa.JSON()),
    sa.column("title_language", sa.Text()),
)
_feedback = sa.table("feedback", sa.column("id", sa.BigInteger()), sa.column("text", sa.Text()))


def upgrade() -> None:
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_language", sa.Text(), nullable=True))
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(_topics.c.id, _topics.c.title, _topics.c.languages, _topics.c.representatives)
            .where(_topics.c.id > last, _topics.c.title != "")
            .order_by(_topics.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        last = int(rows[-1][0])
        rep_ids = {int(v) for _, _, _, reps in rows for v in (reps or {}).values()}
        texts = {
            int(i): str(t)
            for i, t in conn.execute(
                sa.select(_feedback.c.id, _feedback.c.text).where(_feedback.c.id.in_(rep_ids))
            )
        }
        updates = []
        for topic_id, title, languages, reps in rows:
            samples = [
                (str(lang), texts[int(fid)])
                for lang, fid in (reps or {}).items()
                if int(fid) in texts
            ]
            language = guess_title_language(str(title), dict(languages or {}), samples)
            updates.append({"tid": int(topic_id), "lang": language})
        conn.execute(
            sa.update(_topics)
            .where(_topics.c.id == sa.bindparam("tid"))
            .values(title_language=sa.bindparam("lang")),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_column("title_language")
