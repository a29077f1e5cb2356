"""One mechanism for pluggable parts chosen by name in settings: embedders, vector indexes,
notifiers, import presets.

Each kind of part has a `Registry`. Our own parts register in the module that defines the
registry; an outside package adds one through a Python entry point in the registry's group
(``userloop.embedders``, ``userloop.vector_indexes``, ...), whose object is a `Plugin`.
Entry points load lazily, on the first lookup, so a broken outside package cannot slow or
break a command that never asks for that kind of part.

This module imports nothing of ours: every layer may use it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Plugin(Generic[T]):
    """One registered part: `factory` builds it; `spec` is the name as written in settings
    (``hashing:<dim>`` where the part takes an argument); `help` is one line for the docs;
    `extra` names the optional dependency group it needs, if any."""

    name: str
    factory: T
    help: str
    spec: str = ""
    extra: str | None = None

    @property
    def usage(self) -> str:
        return self.spec or self.name


class UnknownPlugin(ValueError):
    """A name no registered part answers to; the message lists the valid names."""


class Registry(Generic[T]):
    """Parts of one kind by name. `T` is the factory's type (a class or a callable)."""

    def __init__(self, kind: str, group: str) -> None:
        self.kind = kind  # "embedder", "vector index", ... as a person would say it
        self.group = group  # entry-point group for outside packages
        self._parts: dict[str, Plugin[T]] = {}
        self._loaded = False

    def register(
        self,
        name: str,
        factory: T,
        help: str,
        *,
        spec: str = "",
        extra: str | None = None,
    ) -> Plugin[T]:
        key = name.strip().lower()
        if not key:
            raise ValueError(f"a {self.kind} needs a name")
        if key in self._parts:
            raise ValueError(f"{self.kind} {key!r} is registered twice")
        plugin = Plugin(key, factory, help, spec, extra)
        self._parts[key] = plugin
        return plugin

    def get(self, name: str) -> Plugin[T]:
        self._load_entry_points()
        plugin = self._parts.get(name.strip().lower())
        if plugin is None:
            valid = ", ".join(p.usage for p in self._parts.values())
            raise UnknownPlugin(f"unknown {self.kind} {name!r}; valid: {valid}")
        return plugin

    def names(self) -> tuple[str, ...]:
        self._load_entry_points()
        return tuple(self._parts)

    def __iter__(self) -> Iterator[Plugin[T]]:
        self._load_entry_points()
        return iter(tuple(self._parts.values()))

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return isinstance(name, str) and name.strip().lower() in self._parts

    def _load_entry_points(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for ep in entry_points(group=self.group):
            try:
                plugin = ep.load()
            except Exception as exc:  # an outside package's fault must not stop ours
                log.warning("%s plugin %r failed to load: %s", self.kind, ep.name, exc)
                continue
            if not isinstance(plugin, Plugin):
                log.warning("%s plugin %r is not a userloop.registry.Plugin", self.kind, ep.name)
                continue
            if plugin.name in self._parts:
                log.warning("%s plugin %r shadows a built-in one: ignored", self.kind, ep.name)
                continue
            self._parts[plugin.name] = plugin
