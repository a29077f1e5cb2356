"""Intake: validate, normalise, redact and store feedback and install-base aggregates.

A batch is validated item by item (a bad item never stops the others), then every valid item
is written in ONE transaction: a failure writes nothing of that batch.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from pydantic import SecretStr, ValidationError
from sqlalchemy import Connection

from userloop.accounts.keys import resolve_keys
from userloop.domain.entities import InstallBaseKey
from userloop.domain.enums import Channel, ItemStatus
from userloop.intake.redaction import PersonalDataKind, personal_data_in, redact
from userloop.intake.schemas import (
    EXTERNAL_ID_MAX,
    INSTALL_BASE_FIELDS,
    SOURCE_PATTERN,
    FeedbackIn,
    InstallBaseIn,
    describe_errors,
    format_errors,
)
from userloop.store import Store
from userloop.store.dimensions import Dimensions
from userloop.store.repos.reporter import ReporterUpsert


class IntakeSettings(Protocol):
    """What intake uses: an `IntakeConfig`, or anything with the same fields (the settings
    themselves, in tests)."""

    @property
    def default_product(self) -> str: ...

    @property
    def max_text_chars(self) -> int: ...

    @property
    def import_batch_size(self) -> int: ...

    @property
    def secret_key(self) -> SecretStr | None: ...


@dataclass(frozen=True, repr=False)
class IntakeConfig:
    """The settings intake uses (`container` builds it). `secret_key` only matters when the
    container could not give a pseudonymisation key (no schema yet): intake looks again on use."""

    default_product: str
    max_text_chars: int
    import_batch_size: int  # rows per transaction of a file import
    secret_key: SecretStr | None


@dataclass(frozen=True, slots=True)
class ItemResult:
    index: int
    status: ItemStatus
    id: int | None = None
    message: str | None = None
    errors: tuple[dict[str, str], ...] = ()


@dataclass(slots=True)
class _Prepared:
    index: int
    source: str
    external_id: str
    product: str
    row: dict[str, Any]
    model: str | None
    build: str | None
    channel: Channel | None
    reporter: ReporterUpsert | None
    content_hash: str


class InstallBaseRejected(ValueError):
    """At least one aggregate is invalid; nothing of the request was stored."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(
            f"{len(errors)} invalid sample(s); first at index {first['index']}: "
            f"{format_errors(first['errors'])}"
        )


class _Keyed(Protocol):
    @property
    def source(self) -> str: ...

    @property
    def external_id(self) -> str: ...


K = TypeVar("K", bound=_Keyed)


def first_and_repeats(items: Sequence[K]) -> tuple[dict[tuple[str, str], K], list[K]]:
    """Each (source, external id) key's first item in a batch, and the items that repeat one."""
    first: dict[tuple[str, str], K] = {}
    repeats: list[K] = []
    for x in items:
        key = (x.source, x.external_id)
        if key in first:
            repeats.append(x)
        else:
            first[key] = x
    return first, repeats


def dimension_ids(
    dims: Dimensions, rows: Sequence[tuple[str, str | None, str | None]]
) -> tuple[dict[str, int], dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """Ids of the products, and of the (product, model) and (product, build) pairs, that the
    (product, model, build) rows name; created where missing."""
    product_ids = {p: dims.product_id(p) for p in {r[0] for r in rows}}
    model_ids: dict[tuple[str, str], int] = {}
    build_ids: dict[tuple[str, str], int] = {}
    for product, pid in product_ids.items():
        mine = [r for r in rows if r[0] == product]
        for name, id_ in dims.model_ids(pid, {m for _, m, _ in mine if m}).items():
            model_ids[(product, name)] = id_
        for name, id_ in dims.build_ids(pid, {b for _, _, b in mine if b}).items():
            build_ids[(product, name)] = id_
    return product_ids, model_ids, build_ids


def count_results(results: Sequence[ItemResult]) -> dict[str, int]:
    counts = {s.value: 0 for s in ItemStatus}
    for r in results:
        counts[r.status.value] += 1
    return counts


class IntakeService:
    def __init__(
        self, store: Store, config: IntakeSettings, *, pseudonym_key: bytes | None = None
    ) -> None:
        self.store = store
        self.config = config
        self._pseudonym_key = pseudonym_key

    @property
    def _secret(self) -> bytes:
        """The key that pseudonymises ids: given by the container, or the installation's."""
        if self._pseudonym_key is None:
            keys = resolve_keys(self.config, self.store)
            if keys.source == "ephemeral":
                # A key for this process alone would make ids and reporters unstable.
                raise RuntimeError(
                    "the database has no schema yet: run `userloop db upgrade` first"
                )
            self._pseudonym_key = keys.pseudonym
        return self._pseudonym_key

    # -- feedback ---------------------------------------------------------------------------

    def submit(self, raw: Mapping[str, Any], *, default_source: str = "api") -> ItemResult:
        return self.submit_batch([raw], default_source=default_source)[0]

    def submit_batch(
        self, raws: Sequence[Mapping[str, Any]], *, default_source: str = "api"
    ) -> list[ItemResult]:
        if not SOURCE_PATTERN.match(default_source):
            raise ValueError(f"default source {default_source!r} is not a valid source name")
        if personal_data_in(default_source):
            raise ValueError("the default source name looks like it contains personal data")
        results: dict[int, ItemResult] = {}
        prepared: list[_Prepared] = []
        now = datetime.now(UTC)
        for index, raw in enumerate(raws):
            outcome = self._prepare(index, raw, default_source, now)
            if isinstance(outcome, ItemResult):
                results[index] = outcome
            else:
                prepared.append(outcome)
        if prepared:
            results.update(self._store_batch(prepared))
        return [results[i] for i in range(len(raws))]

    def validate(self, raw: Mapping[str, Any]) -> FeedbackIn:
        """Raises pydantic's ValidationError; `describe_errors` turns it into messages."""
        if not isinstance(raw, Mapping):
            raise TypeError("each feedback item must be a JSON object")
        return FeedbackIn.model_validate(
            raw, context={"max_text_chars": self.config.max_text_chars}
        )

    def _prepare(
        self, index: int, raw: Mapping[str, Any], default_source: str, now: datetime
    ) -> _Prepared | ItemResult:
        try:
            item = self.validate(raw)
        except TypeError as exc:
            err = {"field": "item", "message": str(exc)}
            return ItemResult(index, ItemStatus.INVALID, message=str(exc), errors=(err,))
        except ValidationError as exc:
            errors = describe_errors(exc)
            return ItemResult(
                index, ItemStatus.INVALID, message=format_errors(errors), errors=tuple(errors)
            )
        redaction = redact(item.text)
        # The idempotency key: personal data in it becomes a keyed pseudonym, so the same raw
        # id always maps to the same stored id and the raw value is never stored.
        id_kinds: tuple[PersonalDataKind, ...] = ()
        if item.external_id is None:
            external_id = self._derived_id(item)
        else:
            id_redaction = redact(item.external_id, pseudonym=self._pseudonym)
            external_id, id_kinds = id_redaction.text, id_redaction.kinds
            if len(external_id) > EXTERNAL_ID_MAX:
                err = {
                    "field": "external_id",
                    "message": f"is {len(external_id)} characters once the personal data in it "
                    f"is replaced by pseudonyms; the limit is {EXTERNAL_ID_MAX}",
                }
                return ItemResult(
                    index, ItemStatus.INVALID, message=format_errors([err]), errors=(err,)
                )
        kinds = sorted({*redaction.kinds, *id_kinds})
        content_hash = hashlib.sha256(redaction.text.encode()).hexdigest()
        reporter = None
        if item.reporter is not None:
            reporter = ReporterUpsert(
                key_hash=self.reporter_key(item.reporter.id),
                experience=item.reporter.experience.value if item.reporter.experience else None,
                verified_owner=item.reporter.verified_owner,
                language=item.reporter.language,
                email=item.reporter.email if item.reporter.consent else None,
            )
        source = item.source or default_source
        return _Prepared(
            index=index,
            source=source,
            external_id=external_id,
            product=item.product or self.config.default_product,
            row={
                "text": redaction.text,
                "content_hash": content_hash,
                "language": item.language,
                "rating": item.rating,
                "region": item.region,
                "redacted": ",".join(kinds),
                "created_at": item.created_at or now,
                "received_at": now,
            },
            model=item.model,
            build=item.build,
            channel=item.channel,
            reporter=reporter,
            content_hash=content_hash,
        )

    def reporter_key(self, reporter_id: str) -> str:
        return hmac.new(self._secret, reporter_id.encode(), hashlib.sha256).hexdigest()

    def _pseudonym(self, kind: PersonalDataKind, raw: str) -> str:
        """``[email:<16 hex>]``: keyed like reporter ids, so only this installation can link a
        pseudonym to a guessed value."""
        return f"[{kind.value}:{self.reporter_key(f'{kind.value}:{raw}')[:16]}]"

    def _derived_id(self, item: FeedbackIn) -> str:
        """A key for items without an external id: the same content gives the same key, so a
        re-sent or re-imported item is still recognised (documented in docs/intake.md). Keyed:
        an unkeyed hash of the raw text would let anyone who reads the id and the redacted
        text test guesses of what was redacted (phone numbers are few enough to try all)."""
        canonical = json.dumps(
            [
                item.text,
                item.rating,
                item.model,
                item.build,
                item.channel,
                item.region,
                item.created_at.isoformat() if item.created_at else None,
                item.reporter.id if item.reporter else None,
            ],
            ensure_ascii=False,
        )
        return "hmac:" + self.reporter_key(canonical)[:40]

    def _store_batch(
        self, prepared: list[_Prepared], conn: Connection | None = None
    ) -> dict[int, ItemResult]:
        """Store in one transaction: a new one, or the caller's `conn` (returns write their
        feedback items and their own rows together)."""
        results: dict[int, ItemResult] = {}
        dims = self.store.dimensions
        product_ids, model_ids, build_ids = dimension_ids(
            dims, [(x.product, x.model, x.build) for x in prepared]
        )
        # First occurrence of a key in the batch is the candidate; the rest repeat or clash.
        first, repeats = first_and_repeats(prepared)

        with self.store.write() if conn is None else nullcontext(conn) as conn:
            by_source: dict[str, list[_Prepared]] = {}
            for x in first.values():
                by_source.setdefault(x.source, []).append(x)
            fresh: list[_Prepared] = []
            for source, items in by_source.items():
                existing = self.store.feedback.existing(
                    conn, source, [x.external_id for x in items]
                )
                for x in items:
                    known = existing.get(x.external_id)
                    if known is None:
                        fresh.append(x)
                    else:
                        results[x.index] = self._against(x, known.id, known.content_hash)
            reporter_ids = self.store.reporters.upsert_many(
                conn, [x.reporter for x in fresh if x.reporter]
            )
            rows = []
            for x in fresh:
                rows.append(
                    {
                        **x.row,
                        "product_id": product_ids[x.product],
                        "source": x.source,
                        "external_id": x.external_id,
                        "model_id": model_ids.get((x.product, x.model)) if x.model else None,
                        "build_id": build_ids.get((x.product, x.build)) if x.build else None,
                        "channel_id": dims.channel_id(x.channel) if x.channel else None,
                        "reporter_id": reporter_ids[x.reporter.key_hash] if x.reporter else None,
                    }
                )
            inserted = self.store.feedback.insert_new(conn, rows)
            lost = [x for x in fresh if (x.source, x.external_id) not in inserted]
            for x in fresh:
                if (x.source, x.external_id) in inserted:
                    id_ = inserted[(x.source, x.external_id)]
                    results[x.index] = ItemResult(x.index, ItemStatus.CREATED, id_)
            # Keys another writer took between our check and our insert.
            for source in {x.source for x in lost}:
                items = [x for x in lost if x.source == source]
                stored = self.store.feedback.existing(conn, source, [x.external_id for x in items])
                for x in items:
                    known = stored[x.external_id]
                    results[x.index] = self._against(x, known.id, known.content_hash)
        self.store.grew("feedback", len(inserted))
        for x in repeats:
            winner = first[(x.source, x.external_id)]
            won = results[winner.index]
            if won.id is None:
                results[x.index] = ItemResult(
                    x.index, ItemStatus.CONFLICT, None, won.message or "conflict"
                )
            else:
                results[x.index] = self._against(x, won.id, winner.content_hash)
        return results

    @staticmethod
    def _against(x: _Prepared, existing_id: int, existing_hash: str) -> ItemResult:
        if existing_hash == x.content_hash:
            return ItemResult(x.index, ItemStatus.DUPLICATE, existing_id)
        return ItemResult(
            x.index,
            ItemStatus.CONFLICT,
            existing_id,
            f"source {x.source!r} already has external_id {x.external_id!r} (feedback "
            f"{existing_id}) with a different text; userloop never overwrites feedback",
        )

    # -- returns ----------------------------------------------------------------------------

    def submit_returns(self, raws: Sequence[Mapping[str, Any]]) -> list[ItemResult]:
        """Returns (RMA records), one result per record like `submit_batch`; each reason text
        is stored as a feedback item in the same transaction (`intake.returns`)."""
        from userloop.intake.returns import ReturnsIntake  # it builds on this module

        return ReturnsIntake(self).submit(raws)

    # -- install base -----------------------------------------------------------------------

    def submit_install_base(self, raws: Sequence[Mapping[str, Any]]) -> int:
        """Validate all, then upsert all in one transaction. Returns the number of samples."""
        samples: list[InstallBaseIn] = []
        errors: list[dict[str, Any]] = []
        for index, raw in enumerate(raws):
            try:
                samples.append(InstallBaseIn.model_validate(raw))
            except ValidationError as exc:
                errors.append({"index": index, "errors": describe_errors(exc, INSTALL_BASE_FIELDS)})
        if errors:
            raise InstallBaseRejected(errors)
        dims = self.store.dimensions
        now = datetime.now(UTC)
        rows: dict[InstallBaseKey, dict[str, Any]] = {}
        for product in {s.product or self.config.default_product for s in samples}:
            pid = dims.product_id(product)
            mine = [s for s in samples if (s.product or self.config.default_product) == product]
            models = dims.model_ids(pid, {s.model for s in mine})
            builds = dims.build_ids(pid, {s.build for s in mine})
            for s in mine:
                key = InstallBaseKey(
                    product, s.day, s.model, s.build, s.channel, s.region, s.segment
                )
                # The same key twice in one request: the later sample wins, as an upsert would.
                rows[key] = {
                    "product_id": pid,
                    "day": s.day,
                    "model_id": models[s.model],
                    "build_id": builds[s.build],
                    "channel_id": dims.channel_id(s.channel),
                    "region": s.region,
                    "segment": s.segment.value,
                    "active_devices": s.active_devices,
                    "crashes": s.crashes,
                    "returns": s.returns,
                    "updated_at": now,
                }
        with self.store.write() as conn:
            self.store.install_base.upsert_many(conn, list(rows.values()))
        return len(samples)
