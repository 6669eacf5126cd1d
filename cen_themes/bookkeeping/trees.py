"""The codebook and the themes are trees of named nodes addressed by paths.

A path joins names with " > " ("Stigma > Dismissed at A&E"). Wherever a code or theme
is named, its full path or a name that is unique in the tree will do. Sibling names are
unique regardless of case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Code, Theme
from cen_themes.wording import did_you_mean

if TYPE_CHECKING:
    from cen_themes.bookkeeping.change import Change

SEPARATOR = " > "
_SPLIT = re.compile(r"\s+>\s+")

Node = TypeVar("Node", Code, Theme)


def split_path(text: str, what: str = "code") -> list[str]:
    parts = [part.strip() for part in _SPLIT.split(text.strip())]
    if not parts or any(not part for part in parts):
        raise InputError(f"'{text}' is not a {what} name or path")
    if len(parts) > 1 and any(p.startswith(">") or p.endswith(">") for p in parts):
        raise InputError(f"'{text}' is not a {what} path: one of its levels is empty")
    for part in parts:
        check_name(part, what)
    return parts


def check_name(name: str, what: str = "code") -> str:
    name = name.strip()
    if not name:
        raise InputError(f"a {what} name cannot be empty")
    if _SPLIT.search(name):
        raise InputError(f"{what} name '{name}' may not contain ' > ' (it separates levels)")
    if name.startswith(">") or name.endswith(">"):
        raise InputError(
            f"{what} name '{name}' may not begin or end with '>' (' > ' separates levels)"
        )
    if len(name) > 255:
        raise InputError(f"{what} name '{name[:40]}...' is longer than 255 characters")
    return name


class Tree(Generic[Node]):
    """All nodes of one tree, loaded once per unit of work. A tree read inside a change
    (``change.codes``, ``change.themes``) can also create, rename and move nodes."""

    def __init__(
        self, session: Session, model: type[Node], what: str, change: Change | None = None
    ) -> None:
        self.session = session
        self.model = model
        self.what = what
        self._change = change
        self.name: dict[int, str] = {}
        self.position: dict[int, int] = {}
        self.parent: dict[int, int | None] = {}
        self._children: dict[int | None, list[int]] = {}
        self._load(select(model.id, model.name, model.parent_id, model.position))

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[int, str, int | None, int]], model: type[Node], what: str
    ) -> Tree[Node]:
        """A tree to read, of nodes held in memory (id, name, parent_id, position), not
        in a database: the themes or codes as they were at an earlier moment."""
        tree = cls.__new__(cls)
        tree.session, tree.model, tree.what, tree._change = None, model, what, None  # type: ignore[assignment]
        tree.name, tree.position, tree.parent, tree._children = {}, {}, {}, {}
        tree._add(list(rows))
        return tree

    def _load(self, query) -> None:
        """Add the nodes a query finds (id, name, parent_id, position) that are new."""
        self._add([tuple(r) for r in self.session.execute(query) if r[0] not in self.name])

    def _add(self, rows: list[tuple]) -> None:
        known = self.name
        for node, name, parent, position in rows:
            known[node] = name
            self.parent[node] = parent
            self.position[node] = position
        children = self._children
        for node, _name, parent, _position in sorted(rows, key=itemgetter(3, 0)):
            children.setdefault(parent, []).append(node)

    # -- reading -----------------------------------------------------------------
    def path(self, node: int) -> str:
        names = []
        seen: set[int] = set()
        current: int | None = node
        while current is not None and current not in seen:
            seen.add(current)
            names.append(self.name[current])
            current = self.parent[current]
        return SEPARATOR.join(reversed(names))

    def depth(self, node: int) -> int:
        return self.path(node).count(SEPARATOR)

    def children(self, node: int | None) -> list[int]:
        return list(self._children.get(node, []))

    def ordered(self) -> Iterator[int]:
        """Every node, depth first, siblings in their order."""
        stack = list(reversed(self.children(None)))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(self.children(node)))

    def descendants(self, node: int) -> set[int]:
        found: set[int] = set()
        stack = self.children(node)
        while stack:
            child = stack.pop()
            if child not in found:
                found.add(child)
                stack.extend(self.children(child))
        return found

    def child_named(self, parent: int | None, name: str) -> int | None:
        """The child of ``parent`` with this name (any case); two of them are an
        ambiguity to report, never a silent pick."""
        wanted = name_key(name)
        found = [c for c in self._children.get(parent, []) if name_key(self.name[c]) == wanted]
        if len(found) > 1:
            paths = ", ".join(f"'{self.path(c)}' (#{c})" for c in found)
            raise InputError(
                f"{self.what} name '{name.strip()}' is ambiguous: {paths} share it; "
                "rename or merge one of them"
            )
        return found[0] if found else None

    def lookup(self, text: str) -> int | None:
        """The node a full path or a unique name names; None if nothing matches."""
        parts = split_path(text, self.what)
        if len(parts) > 1:
            node: int | None = None
            for part in parts:
                node = self.child_named(node, part)
                if node is None:
                    return None
            return node
        top = self.child_named(None, parts[0])
        if top is not None:
            return top
        wanted = name_key(parts[0])
        matches = [n for n, name in self.name.items() if name_key(name) == wanted]
        if len(matches) > 1:
            paths = ", ".join(f"'{self.path(m)}'" for m in sorted(matches, key=self.path))
            raise InputError(f"{self.what} name '{parts[0]}' is ambiguous: give one of {paths}")
        return matches[0] if matches else None

    def find(self, text: str) -> int:
        """Like :meth:`lookup`, but a name that matches nothing is an error."""
        node = self.lookup(text)
        if node is None:
            hint = did_you_mean(text, [self.path(n) for n in self.name])
            raise NotFoundError(f"no {self.what} named '{text.strip()}'{hint}")
        return node

    # -- changing (inside a change) ------------------------------------------------
    def add(self, parent: int | None, name: str) -> int:
        """Create a child node; a sibling of the same name is an error."""
        name = check_name(name, self.what)
        if self.child_named(parent, name) is not None:
            raise InputError(f"a {self.what} named '{name}' already exists {self._place(parent)}")
        (node,), _made = self._create([(parent, name)])
        return node

    def ensure(self, text: str) -> tuple[int, list[int]]:
        """The node a path or unique name names, creating missing levels of a path.

        Returns (node, ids of the nodes created, top first).
        """
        existing = self.lookup(text)
        if existing is not None:
            return existing, []
        return self.ensure_path(text)

    def ensure_path(self, text: str) -> tuple[int, list[int]]:
        """The node at exactly this path (a bare name is a top-level node), creating
        missing levels. Returns (node, ids of the nodes created, top first)."""
        found, created = self.ensure_many([text], exact=True)
        return found[text], created

    def ensure_many(
        self, texts: list[str], exact: bool = False
    ) -> tuple[dict[str, int], list[int]]:
        """:meth:`ensure` (with ``exact``, :meth:`ensure_path`) for many texts at once,
        one insert per tree level. Returns (node of each text, ids of the nodes
        created, parents first)."""
        found: dict[str, int] = {}
        missing: dict[str, list[str]] = {}
        for text in texts:
            node = None if exact else self.lookup(text)
            if node is None:
                missing[text] = split_path(text, self.what)
            else:
                found[text] = node
        created: list[int] = []
        for depth in range(max((len(parts) for parts in missing.values()), default=0)):
            level: dict[tuple[int | None, str], tuple[int | None, str]] = {}
            for parts in missing.values():
                if depth < len(parts):
                    parent = self._walk(parts[:depth])
                    if self.child_named(parent, parts[depth]) is None:
                        level.setdefault((parent, name_key(parts[depth])), (parent, parts[depth]))
            if level:
                _nodes, made = self._create(list(level.values()))
                created.extend(made)
        for text, parts in missing.items():
            node = self._walk(parts)
            assert node is not None
            found[text] = node
        return found, created

    def rename(self, node: int, new_name: str) -> bool:
        """Give a node a new name; a sibling's name is an error. False if unchanged."""
        new_name = check_name(new_name, self.what)
        clash = self.child_named(self.parent[node], new_name)
        if clash is not None and clash != node:
            raise InputError(
                f"a {self.what} named '{new_name}' already exists beside '{self.path(node)}'"
            )
        changed = self._writer().update(
            self.model.__tablename__,
            self.model.id == node,
            {"name": new_name, "name_key": name_key(new_name)},
        )
        self.name[node] = new_name
        return bool(changed)

    def move(self, node: int, parent: int | None, position: int | None = None) -> bool:
        """Put a node (with its subtree) under ``parent`` (None: the top level), last
        unless a ``position`` is given. False if it was there already."""
        self.check_move(node, parent)
        if position is None:
            position = self.next_position(parent)
        changed = self._writer().update(
            self.model.__tablename__,
            self.model.id == node,
            {"parent_id": parent, "position": position},
        )
        self._reparent(node, parent)
        return bool(changed)

    def check_move(self, node: int, parent: int | None) -> None:
        """Refuse to move ``node`` under ``parent`` (None: the top level) when that is
        inside the node itself, or when a sibling there has the node's name."""
        if parent is not None and (parent == node or parent in self.descendants(node)):
            raise InputError(
                f"cannot move '{self.path(node)}' under '{self.path(parent)}': "
                f"a {self.what} cannot go inside itself"
            )
        clash = self.child_named(parent, self.name[node])
        if clash is not None and clash != node:
            raise InputError(
                f"a {self.what} named '{self.name[node]}' already exists {self._place(parent)}"
            )

    def next_position(self, parent: int | None) -> int:
        return max((self.position[c] for c in self._children.get(parent, [])), default=-1) + 1

    def _place(self, parent: int | None) -> str:
        return "at the top level" if parent is None else f"under '{self.path(parent)}'"

    def _reparent(self, node: int, parent: int | None) -> None:
        self._children[self.parent[node]].remove(node)
        self.parent[node] = parent
        self._children.setdefault(parent, []).append(node)

    def _walk(self, parts: list[str]) -> int | None:
        node: int | None = None
        for part in parts:
            node = self.child_named(node, part)
        return node

    def _writer(self) -> Change:
        if self._change is None:
            raise RuntimeError(f"a {self.what} tree read outside a change cannot change")
        return self._change

    def _create(self, wanted: list[tuple[int | None, str]]) -> tuple[list[int], list[int]]:
        """Create these (parent, name) nodes, siblings made together sharing a position
        (their ids order them). Returns (the node of each, the nodes this change made).

        Where another program made one of them since this tree was read, the database
        refuses its twin: that program's node is read and used instead."""
        writer = self._writer()
        nodes: dict[tuple[int | None, str], int] = {}
        made: list[int] = []
        todo = list(wanted)
        while todo:
            rows = [
                self.model(
                    name=name,
                    name_key=name_key(name),
                    parent_id=parent,
                    position=self.next_position(parent),
                )
                for parent, name in todo
            ]
            refused = writer.try_add(*rows)
            if refused is not None:
                known = len(self.name)
                self._reload_children({parent for parent, _name in todo})
                if len(self.name) == known:  # no twin appeared: not a race
                    raise refused
                for parent, name in todo:
                    twin = self.child_named(parent, name)
                    if twin is not None:
                        nodes[(parent, name)] = twin
                todo = [w for w in todo if w not in nodes]
                continue
            for key, row in zip(todo, rows, strict=True):
                self.name[row.id] = row.name
                self.parent[row.id] = row.parent_id
                self.position[row.id] = row.position
                self._children.setdefault(row.parent_id, []).append(row.id)
                nodes[key] = row.id
                made.append(row.id)
            todo = []
        return [nodes[w] for w in wanted], made

    def _reload_children(self, parents: set[int | None]) -> None:
        m = self.model
        clauses = []
        ids = sorted(p for p in parents if p is not None)
        if ids:
            clauses.append(m.parent_id.in_(ids))
        if None in parents:
            clauses.append(m.parent_id.is_(None))
        self._load(select(m.id, m.name, m.parent_id, m.position).where(or_(*clauses)))


def name_key(name: str) -> str:
    """What sibling names are compared by, here and by the database's unique index:
    case folded, surrounding spaces dropped."""
    return name.strip().casefold()
