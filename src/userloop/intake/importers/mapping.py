"""Column mappings: which column of a file becomes which feedback field.

`ColumnMapping.parse("text=content,rating=score,reporter.id=author_id")` reads `--map` entries
(target field = source column). Presets add `FieldSpec`s that compute a field from several
columns. `compile_builder` turns a preset, a mapping and a CSV header into a `RowBuilder`
once per import, so the per-row work is a few dictionary look-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from userloop.intake.importers.errors import ImportFailed, MappingError
from userloop.intake.schemas import FIELDS, ReporterIn

if TYPE_CHECKING:
    from userloop.intake.importers.presets import Preset

Getter = Callable[[Mapping[str, Any]], Any]
REPORTER_FIELDS: tuple[str, ...] = tuple(ReporterIn.model_fields)
TARGETS: tuple[str, ...] = FIELDS + tuple(f"reporter.{name}" for name in REPORTER_FIELDS)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How to compute one target field from a row. `get` returns None for "absent" and may
    raise `RowRejected`. `required` columns must be in a CSV header; `optional` may be."""

    get: Getter
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Target field -> source column, in the order given."""

    entries: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, spec: str | Iterable[str] | None) -> ColumnMapping:
        """Parse `FIELD=COLUMN` entries separated by commas; several specs may be given (one
        per `--map` option). Column names are stripped and may contain spaces but no commas."""
        if spec is None:
            return cls()
        parts = [spec] if isinstance(spec, str) else list(spec)
        entries: dict[str, str] = {}
        for part in parts:
            for piece in part.split(","):
                piece = piece.strip()
                if not piece:
                    continue
                target, sep, column = (s.strip() for s in piece.partition("="))
                if not sep or not target or not column:
                    raise MappingError(
                        f"--map entry {piece!r} is not FIELD=COLUMN (e.g. text=content)"
                    )
                if target not in TARGETS:
                    raise MappingError(
                        f"--map entry {piece!r}: {target!r} is not a feedback field; fields "
                        f"are {', '.join(TARGETS)}"
                    )
                if target in entries:
                    raise MappingError(f"--map names the field {target!r} twice")
                entries[target] = column
        if "reporter" in entries and any(t.startswith("reporter.") for t in entries):
            raise MappingError("--map gives both reporter and reporter.* fields; use one")
        return cls(tuple(entries.items()))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __str__(self) -> str:
        return ",".join(f"{t}={c}" for t, c in self.entries)

    def as_dict(self) -> dict[str, str]:
        return dict(self.entries)


def column_getter(column: str, *, nested: bool) -> Getter:
    """Read one column; with `nested` (JSON objects), `a.b` also follows nested objects."""
    if not nested or "." not in column:

        def get(row: Mapping[str, Any]) -> Any:
            return row.get(column)

        return get
    parts = column.split(".")

    def get_path(row: Mapping[str, Any]) -> Any:
        if column in row:
            return row[column]
        current: Any = row
        for part in parts:
            if not isinstance(current, Mapping):
                return None
            current = current.get(part)
            if current is None:
                return None
        return current

    return get_path


@dataclass(slots=True)
class RowBuilder:
    """Builds the raw feedback item (as `IntakeService.submit_batch` takes it) from a row."""

    plan: tuple[tuple[str, str | None, Getter], ...] = ()
    passthrough: bool = False
    ignored_columns: tuple[str, ...] = ()
    fields: tuple[str, ...] = field(default=())

    def build(self, row: dict[str, Any]) -> dict[str, Any]:
        if self.passthrough:
            return row
        out: dict[str, Any] = {}
        reporter: dict[str, Any] | None = None
        for top, sub, get in self.plan:
            value = get(row)
            if value is None:
                continue
            if sub is None:
                out[top] = value
            elif value != "":
                if reporter is None:
                    reporter = out["reporter"] = {}
                reporter[sub] = value
        return out


def _targeted(specs: Mapping[str, FieldSpec], name: str) -> bool:
    if name in specs:
        return True
    if name == "reporter":
        return any(t.startswith("reporter.") for t in specs)
    return name.startswith("reporter.") and "reporter" in specs


def compile_builder(
    header: Sequence[str] | None,
    mapping: ColumnMapping | None = None,
    preset: Preset | None = None,
    *,
    label: str = "the file",
) -> RowBuilder:
    """`header` is the CSV header, or None for JSONL. Raises `ImportFailed` when the mapping
    or the preset names a column the header lacks, before anything is written."""
    mapping = mapping or ColumnMapping()
    nested = header is None
    if nested and preset is None and not mapping:
        return RowBuilder(passthrough=True)
    specs: dict[str, FieldSpec] = dict(preset.fields) if preset else {}
    for target, column in mapping.entries:
        if target == "reporter":
            specs = {t: s for t, s in specs.items() if not t.startswith("reporter.")}
        elif target.startswith("reporter."):
            specs.pop("reporter", None)
        specs[target] = FieldSpec(column_getter(column, nested=nested), required=(column,))
    if preset is None:  # columns named like a field are taken as that field unless mapped
        names = FIELDS if header is None else tuple(h for h in header if h in TARGETS)
        for name in names:
            if not _targeted(specs, name):
                specs[name] = FieldSpec(column_getter(name, nested=nested), required=(name,))
    if header is not None:
        _check_header(header, specs, mapping, preset, label)
    plan = tuple(
        (target.split(".", 1)[0], target.split(".", 1)[1] if "." in target else None, spec.get)
        for target, spec in specs.items()
    )
    used = {c for spec in specs.values() for c in spec.columns}
    ignored = tuple(h for h in header if h not in used) if header is not None else ()
    return RowBuilder(plan=plan, ignored_columns=ignored, fields=tuple(specs))


def _check_header(
    header: Sequence[str],
    specs: Mapping[str, FieldSpec],
    mapping: ColumnMapping,
    preset: Preset | None,
    label: str,
) -> None:
    present = set(header)
    columns = ", ".join(repr(h) for h in header)
    mapped = mapping.as_dict()
    for target, column in mapped.items():
        if column not in present:
            raise ImportFailed(
                f"--map {target}={column}: the column {column!r} is not in the header of "
                f"{label}; its columns are: {columns}"
            )
    missing = sorted(
        {c for t, s in specs.items() if t not in mapped for c in s.required if c not in present}
    )
    if missing:
        what = f"a {preset.name} export" if preset else "the expected layout"
        raise ImportFailed(
            f"{label} does not look like {what}: missing column(s) "
            f"{', '.join(repr(c) for c in missing)}; its columns are: {columns}"
        )
    used = {c for s in specs.values() for c in s.columns}
    doubled = sorted({h for h in header if h in used and header.count(h) > 1})
    if doubled:
        raise ImportFailed(
            f"the header of {label} has the column(s) {', '.join(map(repr, doubled))} more "
            "than once; rename them so the mapping is unambiguous"
        )
    if "text" not in specs:
        raise ImportFailed(
            f"no column of {label} gives the feedback text: name a column text or pass "
            f"--map text=COLUMN; its columns are: {columns}"
        )
