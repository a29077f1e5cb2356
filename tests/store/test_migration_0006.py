"""Migration 0006: topics.title_language, filled for the titles already there."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import inspect

from userloop.store import Store, migrate

_products = sa.table(
    "products",
    sa.column("id", sa.Integer()),
    sa.column("slug", sa.String()),
    sa.column("name", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_feedback = sa.table(
    "feedback",
    sa.column("id", sa.BigInteger()),
    sa.column("product_id", sa.Integer()),
    sa.column("source", sa.String()),
    sa.column("external_id", sa.String()),
    sa.column("content_hash", sa.String()),
    sa.column("text", sa.Text()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("received_at", sa.DateTime(timezone=True)),
)
_topics = sa.table(
    "topics",
    sa.column("id", sa.BigInteger()),
    sa.column("product_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("title", sa.String()),
    sa.column("size", sa.Integer()),
    sa.column("keywords", sa.JSON()),
    sa.column("representatives", sa.JSON()),
    sa.column("languages", sa.JSON()),
    sa.column("builds", sa.JSON()),
    sa.column("models", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _seed(store: Store) -> None:
    now = datetime.now(UTC)
    texts = {1: "Accu leeg na de update, elke nacht", 2: "Der Akku ist leer"}
    topics = [
        # (id, title, languages, representatives)
        (1, "Accu leeg na de update", {"de": 4, "nl": 1}, {"de": 2, "nl": 1}),
        (2, "Батарея садится", {"en": 5, "ru": 2}, {}),
        (3, "Battery drains", {"de": 1, "en": 3}, {}),
        (4, "", {"en": 2}, {}),  # no title yet: no language either
    ]
    with store.write() as conn:
        conn.execute(sa.insert(_products).values(id=1, slug="phone", name="Phone", created_at=now))
        for fid, text in texts.items():
            conn.execute(
                sa.insert(_feedback).values(
                    id=fid,
                    product_id=1,
                    source="test",
                    external_id=str(fid),
                    content_hash=str(fid),
                    text=text,
                    created_at=now,
                    received_at=now,
                )
            )
        for tid, title, languages, reps in topics:
            conn.execute(
                sa.insert(_topics).values(
                    id=tid,
                    product_id=1,
                    status="new",
                    title=title,
                    size=sum(languages.values()),
                    keywords={},
                    representatives=reps,
                    languages=languages,
                    builds={},
                    models={},
                    created_at=now,
                    updated_at=now,
                )
            )


def test_0006_adds_and_fills_title_language_and_goes_back(database_url: str) -> None:
    store = Store.from_url(database_url)
    migrate.upgrade(store.engine, "0005")
    _seed(store)
    migrate.upgrade(store.engine, "0006")
    with store.read() as conn:
        got: dict[int, str | None] = dict(
            conn.execute(sa.text("SELECT id, title_language FROM topics ORDER BY id")).all()
        )
    assert got == {1: "nl", 2: "ru", 3: "en", 4: None}
    migrate.downgrade(store.engine, "0005")
    columns = {c["name"] for c in inspect(store.engine).get_columns("topics")}
    assert "title_language" not in columns and "title" in columns
    store.upgrade()
    assert store.is_up_to_date()
    store.close()
