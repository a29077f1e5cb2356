"""Products, device models, builds and channels: created on first sight, cached by id.

Each get-or-create commits in its own short transaction, so a cached id always exists even
when the batch that first named it is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from userloop.domain.enums import Channel
from userloop.domain.rules.builds import build_sort_key
from userloop.store.dialect import insert_ignore
from userloop.store.tables import builds, channels, device_models, products


class Dimensions:
    def __init__(self, write: Callable[[], AbstractContextManager[Connection]]) -> None:
        self._write = write
        self._products: dict[str, int] = {}
        self._models: dict[tuple[int, str], int] = {}
        self._builds: dict[tuple[int, str], int] = {}
        self._channels: dict[str, int] = {}

    def product_id(self, slug: str) -> int:
        if slug not in self._products:
            with self._write() as conn:
                insert_ignore(
                    conn,
                    products,
                    [{"slug": slug, "name": slug, "created_at": datetime.now(UTC)}],
                    ["slug"],
                )
                self._products[slug] = conn.execute(
                    select(products.c.id).where(products.c.slug == slug)
                ).scalar_one()
        return self._products[slug]

    def channel_id(self, channel: Channel) -> int:
        if not self._channels:
            with self._write() as conn:
                self._channels = {
                    name: id_ for id_, name in conn.execute(select(channels.c.id, channels.c.name))
                }
        return self._channels[channel.value]

    def model_ids(self, product_id: int, names: Iterable[str]) -> dict[str, int]:
        return self._resolve(
            self._models,
            product_id,
            set(names),
            lambda conn, missing: insert_ignore(
                conn,
                device_models,
                [{"product_id": product_id, "name": n} for n in missing],
                ["product_id", "name"],
            ),
            lambda conn, wanted: conn.execute(
                select(device_models.c.name, device_models.c.id).where(
                    device_models.c.product_id == product_id, device_models.c.name.in_(wanted)
                )
            ),
        )

    def build_ids(self, product_id: int, versions: Iterable[str]) -> dict[str, int]:
        return self._resolve(
            self._builds,
            product_id,
            set(versions),
            lambda conn, missing: insert_ignore(
                conn,
                builds,
                [
                    {"product_id": product_id, "version": v, "sort_key": build_sort_key(v)}
                    for v in missing
                ],
                ["product_id", "version"],
            ),
            lambda conn, wanted: conn.execute(
                select(builds.c.version, builds.c.id).where(
                    builds.c.product_id == product_id, builds.c.version.in_(wanted)
                )
            ),
        )

    def _resolve(
        self,
        cache: dict[tuple[int, str], int],
        product_id: int,
        names: set[str],
        insert: Callable[[Connection, list[str]], None],
        fetch: Callable[[Connection, list[str]], Iterable[tuple[str, int]]],
    ) -> dict[str, int]:
        missing = sorted(n for n in names if (product_id, n) not in cache)
        if missing:
            with self._write() as conn:
                insert(conn, missing)
                for name, id_ in fetch(conn, missing):
                    cache[(product_id, name)] = id_
        return {n: cache[(product_id, n)] for n in names}
