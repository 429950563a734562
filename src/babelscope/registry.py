"""One lazy registry for everything babelscope looks up by name.

Analyses, tasks, corpora, tokenizer specs, model backends and language identifiers are all
"a name -> something importable" table. Entries are ``"module:object"`` strings, so a table
costs nothing until an entry is used (importing a task pulls in its loader, a backend pulls
in torch or an HTTP client). Third-party packages add entries through Python entry points in
the group ``babelscope.<kind>`` (``babelscope.tasks``, ``babelscope.analyses``,
``babelscope.backends``, ...); they are discovered on first use, and a built-in name always
wins over a plugin of the same name.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from .errors import ConfigError

log = logging.getLogger("babelscope.registry")


@dataclass(frozen=True)
class Entry:
    """A registered name: where its object lives and what it needs, known without importing it.

    ``needs_model`` and ``capabilities`` let a plan check a study before anything loads; a
    plugin entry that does not declare them gets them from attributes of the loaded object
    (``needs_model``, ``capabilities``, ``help``) the first time it is asked.
    """

    name: str
    target: str
    needs_model: bool = False
    capabilities: tuple[str, ...] = ()
    help: str = ""
    plugin: str | None = None  # the distribution that registered it, for plugin entries
    options: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def load(self) -> Any:
        module, _, attr = self.target.partition(":")
        try:
            obj: Any = import_module(module)
        except ImportError as e:
            raise ConfigError(f"{self.name!r} is registered as {self.target!r}, which cannot be imported: {e}") from e
        for part in attr.split(".") if attr else []:
            obj = getattr(obj, part)
        return obj


class Registry(Mapping[str, Entry]):
    """Name -> :class:`Entry`, built-ins first, then entry points of ``babelscope.<kind>``.

    A Mapping, so ``name in registry``, ``list(registry)`` and ``registry[name]`` read as for a
    dict; :meth:`entry` and :meth:`load` add a helpful error (the closest names) for typos.
    """

    def __init__(self, kind: str, entries: list[Entry] | dict[str, str], *, what: str | None = None,
                 normalise: Any = None):
        self.kind = kind
        self.group = f"babelscope.{kind}"
        self.what = what or kind.rstrip("s")
        self._normalise = normalise or (lambda s: s.strip())
        if isinstance(entries, dict):
            entries = [Entry(n, t) for n, t in entries.items()]
        self._builtin: dict[str, Entry] = {e.name: e for e in entries}
        self._plugins: dict[str, Entry] | None = None

    # -- Mapping ------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Entry:
        key = self._normalise(name)
        if key in self._builtin:
            return self._builtin[key]
        return self._discovered()[key]

    def __iter__(self) -> Iterator[str]:
        yield from self._builtin
        yield from (n for n in self._discovered() if n not in self._builtin)

    def __len__(self) -> int:
        return len(set(self._builtin) | set(self._discovered()))

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = self._normalise(name)
        return key in self._builtin or key in self._discovered()

    # -- lookups with errors that help --------------------------------------------------------
    def entry(self, name: str) -> Entry:
        """The entry for ``name``; ConfigError with the closest names (exit 2) when unknown."""
        if name in self:
            e = self[name]
            return self._complete(e) if e.plugin else e
        key = self._normalise(name)
        close = difflib.get_close_matches(key, list(self), n=3, cutoff=0.5)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise ConfigError(f"unknown {self.what} {name!r}{hint} (available: {', '.join(self)})")

    def load(self, name: str) -> Any:
        return self.entry(name).load()

    def register(self, entry: Entry) -> None:
        """Add an entry at run time (tests, notebooks); a built-in name cannot be replaced."""
        if entry.name in self._builtin:
            raise ConfigError(f"{self.what} {entry.name!r} is already registered")
        self._discovered()[entry.name] = entry

    # -- plugins ------------------------------------------------------------------------------
    def _discovered(self) -> dict[str, Entry]:
        if self._plugins is None:
            self._plugins = {}
            from importlib.metadata import entry_points

            for ep in entry_points(group=self.group):
                name = self._normalise(ep.name)
                if name in self._builtin:
                    log.warning("plugin %s: %s %r shadows a built-in one and is ignored",
                                getattr(ep.dist, "name", "?"), self.what, name)
                    continue
                self._plugins[name] = Entry(name, ep.value, plugin=getattr(ep.dist, "name", None) or "?")
        return self._plugins

    def _complete(self, e: Entry) -> Entry:
        """A plugin entry with the metadata its object declares (loaded once, then kept)."""
        if e.options.get("_completed"):
            return e
        obj = e.load()
        full = Entry(e.name, e.target, needs_model=bool(getattr(obj, "needs_model", self.kind != "tokenizers")),
                     capabilities=tuple(getattr(obj, "capabilities", ()) or ()),
                     help=str(getattr(obj, "help", "") or (obj.__doc__ or "").strip().split("\n")[0]),
                     plugin=e.plugin, options={"_completed": True})
        assert self._plugins is not None
        self._plugins[e.name] = full
        return full
