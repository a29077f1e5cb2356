"""Daily install-base aggregates, upserted by their full key (day, model, build, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from userloop.domain.entities import INSTALL_BASE_COUNTS, InstallBaseSample
from userloop.domain.enums import Channel, Segment
from userloop.store.dialect import upsert
from userloop.store.tables import (
    INSTALL_BASE_KEY_COLUMNS,
    builds,
    channels,
    device_models,
    install_base,
    products,
)

KEY = INSTALL_BASE_KEY_COLUMNS


class InstallBaseRepo:
    def upsert_many(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        upsert(
            conn,
            install_base,
            rows,
            KEY,
            [*INSTALL_BASE_COUNTS, "updated_at"],
        )

    def count(self, conn: Connection) -> int:
        return int(conn.execute(select(func.count()).select_from(install_base)).scalar_one())

    def list(self, conn: Connection, product: str, limit: int = 1000) -> list[InstallBaseSample]:
        rows = conn.execute(
            select(
                install_base,
                products.c.slug,
                device_models.c.name.label("model_name"),
                builds.c.version,
                channels.c.name.label("channel_name"),
            )
            .join(products, products.c.id == install_base.c.product_id)
            .join(device_models, device_models.c.id == install_base.c.model_id)
            .join(builds, builds.c.id == install_base.c.build_id)
            .join(channels, channels.c.id == install_base.c.channel_id)
            .where(products.c.slug == product)
            .order_by(install_base.c.day, install_base.c.id)
            .limit(limit)
        )
        return [
            InstallBaseSample(
                product=m["slug"],
                day=m["day"],
                model=m["model_name"],
                build=m["version"],
                channel=Channel(m["channel_name"]),
                region=m["region"],
                segment=Segment(m["segment"]),
                active_devices=m["active_devices"],
                crashes=m["crashes"],
                returns=m["returns"],
            )
            for m in (r._mapping for r in rows)
        ]
