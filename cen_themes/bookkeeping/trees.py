"""The codebook and the themes are trees of named nodes addressed by paths.

A path joins names with " > " ("Stigma > Dismissed at A&E"). Wherever a code or theme
is named, its full path or a name that is unique in the tree will do. Sibling names are
unique regardless of case.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Code, Theme

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
    """All nodes of one tree, loaded once per unit of work."""

    def __init__(self, session: Session, model: type[Node], what: str) -> None:
        self.session = session
        self.model = model
        self.what = what
        rows = session.execute(select(model.id, model.name, model.parent_id, model.position)).all()
        self.name = {r.id: r.name for r in rows}
        self.position = {r.id: r.position for r in rows}
        self.parent: dict[int, int | None] = {r.id: r.parent_id for r in rows}
        self._children: dict[int | None, list[int]] = {}
        for r in sorted(rows, key=lambda r: (r.position, r.id)):
            self._children.setdefault(r.parent_id, []).append(r.id)

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
        wanted = name.casefold()
        for child in self._children.get(parent, []):
            if self.name[child].casefold() == wanted:
                return child
        return None

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
        wanted = parts[0].casefold()
        matches = [n for n, name in self.name.items() if name.casefold() == wanted]
        if len(matches) > 1:
            paths = ", ".join(f"'{self.path(m)}'" for m in sorted(matches, key=self.path))
            raise InputError(f"{self.what} name '{parts[0]}' is ambiguous: give one of {paths}")
        return matches[0] if matches else None

    def find(self, text: str) -> int:
        """Like :meth:`lookup`, but a name that matches nothing is an error."""
        node = self.lookup(text)
        if node is None:
            paths = [self.path(n) for n in self.name]
            close = difflib.get_close_matches(text.strip(), paths, n=3)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            raise NotFoundError(f"no {self.what} named '{text.strip()}'{hint}")
        return node

    # -- changing ----------------------------------------------------------------
    def add(self, parent: int | None, name: str, **fields: object) -> Node:
        """Create a child node (flushed, so it has an id)."""
        name = check_name(name, self.what)
        if self.child_named(parent, name) is not None:
            raise InputError(f"a {self.what} named '{name}' already exists {self._place(parent)}")
        node = self._new(parent, name, **fields)
        self.session.flush()
        self._register(node)
        return node

    def next_position(self, parent: int | None) -> int:
        return max((self.position[c] for c in self._children.get(parent, [])), default=-1) + 1

    def _new(self, parent: int | None, name: str, **fields: object) -> Node:
        node = self.model(
            name=name, parent_id=parent, position=self.next_position(parent), **fields
        )
        self.session.add(node)
        return node

    def _register(self, node: Node) -> None:
        self.name[node.id] = node.name
        self.parent[node.id] = node.parent_id
        self.position[node.id] = node.position
        self._children.setdefault(node.parent_id, []).append(node.id)

    def ensure_many(self, texts: list[str]) -> tuple[dict[str, int], list[int]]:
        """:meth:`ensure` for many paths at once, one flush per tree level.

        Returns (node of each text, ids of the nodes created, parents first).
        """
        found: dict[str, int] = {}
        missing: dict[str, list[str]] = {}
        for text in texts:
            node = self.lookup(text)
            if node is None:
                missing[text] = split_path(text, self.what)
            else:
                found[text] = node
        created: list[int] = []
        deepest = max((len(parts) for parts in missing.values()), default=0)
        for depth in range(deepest):
            level: dict[tuple[int | None, str], Node] = {}
            for parts in missing.values():
                if depth >= len(parts):
                    continue
                parent = self._walk(parts[:depth])
                key = (parent, parts[depth].casefold())
                if self.child_named(parent, parts[depth]) is None and key not in level:
                    # siblings made together share a position; their ids order them
                    level[key] = self._new(parent, parts[depth])
            if level:
                self.session.flush()
                for node in level.values():
                    self._register(node)
                    created.append(node.id)
        for text, parts in missing.items():
            node = self._walk(parts)
            assert node is not None
            found[text] = node
        return found, created

    def _walk(self, parts: list[str]) -> int | None:
        node: int | None = None
        for part in parts:
            node = self.child_named(node, part)
        return node

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

    def _place(self, parent: int | None) -> str:
        return "at the top level" if parent is None else f"under '{self.path(parent)}'"

    def reparent(self, node: int, parent: int | None) -> None:
        self._children[self.parent[node]].remove(node)
        self.parent[node] = parent
        self._children.setdefault(parent, []).append(node)

    def ensure(self, text: str, **fields: object) -> tuple[int, list[int]]:
        """The node a path or unique name names, creating missing levels of a path.

        Returns (node, ids of the nodes created, top first).
        """
        existing = self.lookup(text)
        if existing is not None:
            return existing, []
        return self.ensure_path(text, **fields)

    def ensure_path(self, text: str, **fields: object) -> tuple[int, list[int]]:
        """The node at exactly this path (a bare name is a top-level node), creating
        missing levels. Returns (node, ids of the nodes created, top first)."""
        created: list[int] = []
        node: int | None = None
        for part in split_path(text, self.what):
            child = self.child_named(node, part)
            if child is None:
                child = self.add(node, part, **fields).id
                created.append(child)
            node = child
        assert node is not None
        return node, created
