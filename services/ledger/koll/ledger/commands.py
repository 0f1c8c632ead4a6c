"""Where further `koll` sub-commands register: each a function that adds itself to the parser.

Keeps cli.py short and lets export, import and verify live beside the code they drive.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

REGISTERED: list[Callable[[argparse._SubParsersAction], None]] = []

# Modules whose @subcommand functions join the `koll` command; add yours here.
MODULES: tuple[str, ...] = ()


def subcommand(fn: Callable[[argparse._SubParsersAction], None]) -> Callable[[argparse._SubParsersAction], None]:
    REGISTERED.append(fn)
    return fn


def load() -> list[Callable[[argparse._SubParsersAction], None]]:
    import importlib

    for name in MODULES:
        importlib.import_module(name)
    return REGISTERED
