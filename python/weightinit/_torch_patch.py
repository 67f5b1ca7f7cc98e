"""The process-global machinery behind ``weightinit.torch.patch_nn_init``.

Replaces functions of ``torch.nn.init`` by wrappers, both on ``torch.nn.init`` itself and in
every loaded module that bound one by name (``from torch.nn.init import xavier_uniform_``), and
undoes exactly that on exit. Blocks nest across threads: the first to enter installs, the last
to leave restores. Each thread keeps its own stack of seed sources, which the wrappers consult.
"""

from __future__ import annotations

import functools
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any, Callable

import torch

from . import _fork

__all__ = ["NnInitPatch"]


class NnInitPatch:
    """Wrappers for some of ``torch.nn.init``'s functions, installed while any block is open.

    ``replacements`` maps a function name to (its weightinit version, the position of its
    ``generator`` parameter or None when it is not random). Inside a block, a random function
    called without ``generator=`` and without ``seed=`` gets ``seed=`` the thread's current
    source (the innermost block's).
    """

    def __init__(self, replacements: dict[str, tuple[Callable[..., Any], int | None]]) -> None:
        self._local = threading.local()  # .sources: this thread's stack of seed sources
        self.names = frozenset(replacements)
        self.originals = {name: getattr(torch.nn.init, name) for name in replacements}
        self.patched = {name: self._wrap(name, fn, position) for name, (fn, position) in replacements.items()}
        self._lock = threading.RLock()
        self._active = 0  # open blocks, all threads
        self._records: list[tuple[dict, str, Any]] = []  # (module dict, name, value before)
        _fork.run_in_child(self._new_lock)

    def _new_lock(self) -> None:
        # A thread of the parent may have held the lock when another forked: the child gets a
        # free one. (A fork in the middle of an install leaves the child's torch.nn.init partly
        # patched; it does not hang.)
        self._lock = threading.RLock()

    def _wrap(self, name: str, fn: Callable[..., Any], position: int | None) -> Callable[..., Any]:
        local = self._local

        if position is None:

            def patched(*args: Any, **kwargs: Any) -> Any:
                return fn(*args, **kwargs)

        else:

            def patched(*args: Any, **kwargs: Any) -> Any:
                sources = getattr(local, "sources", None)
                if sources and sources[-1] is not None and kwargs.get("seed") is None:
                    gen = args[position] if len(args) > position else kwargs.get("generator")
                    if gen is None:
                        kwargs["seed"] = sources[-1]
                return fn(*args, **kwargs)

        functools.update_wrapper(patched, fn)
        patched.__qualname__ = f"patch_nn_init.<patched {name}>"
        return patched

    # -- entering and leaving ---------------------------------------------------------------
    def enter(self, source: Any) -> None:
        with self._lock:
            if self._active == 0:
                self._install()
            self._active += 1
        sources = getattr(self._local, "sources", None)
        if sources is None:
            sources = self._local.sources = []
        sources.append(source)

    def leave(self) -> None:
        self._local.sources.pop()
        with self._lock:
            self._active -= 1
            if self._active == 0:
                self._uninstall()

    # -- the patching ------------------------------------------------------------------------
    @staticmethod
    def _module_dicts() -> Iterator[dict]:
        for module in list(sys.modules.values()):
            if isinstance(module, types.ModuleType):
                d = getattr(module, "__dict__", None)
                if isinstance(d, dict):
                    yield d

    def _install(self) -> None:
        init_dict = vars(torch.nn.init)
        for name in self.patched:
            self._records.append((init_dict, name, init_dict[name]))
            init_dict[name] = self.patched[name]
        for d in self._module_dicts():
            if d is init_dict:
                continue
            for name in d.keys() & self.names:
                value = d[name]
                if value is self.originals[name]:
                    self._records.append((d, name, value))
                    d[name] = self.patched[name]

    def _uninstall(self) -> None:
        while self._records:
            d, name, value = self._records.pop()
            if d.get(name) is self.patched[name]:
                d[name] = value
        # Modules imported inside the block may have bound a patched function by name: undo those too.
        init_dict = vars(torch.nn.init)
        for d in self._module_dicts():
            for name in d.keys() & self.names:
                if d[name] is self.patched[name]:
                    d[name] = init_dict[name] if init_dict[name] is not self.patched[name] else self.originals[name]
