"""The workbench's screens and dialogs."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path


def style_sheets() -> list[Path]:
    """The style sheet files of every screen and dialog here, resolved as Textual
    resolves a screen's ``CSS_PATH`` (beside the file of the screen's class)."""
    from textual.screen import Screen

    found: dict[Path, None] = {}
    for info in pkgutil.iter_modules(__path__, f"{__name__}."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Screen) or not cls.__module__.startswith(__name__):
                continue
            paths = cls.CSS_PATH if isinstance(cls.CSS_PATH, list) else [cls.CSS_PATH]
            for path in paths:
                if path:
                    found[(Path(inspect.getfile(cls)).parent / path).resolve()] = None
    return list(found)
