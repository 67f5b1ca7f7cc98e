"""The process-global machinery behind ``weightinit.torch.patch_nn_init``.

Replaces functions of ``torch.nn.init`` by wrappers, both on ``torch.nn.init`` itself and in
every loaded module that bound one by name (``from torch.nn.init import xavier_uniform_``), and
undoes exactly that on exit. Blocks nest across threads: the first to enter installs, the last
to leave restores. Each thread keeps its own stack of *policies*: the innermost one decides how
the thread's calls run (which seed they get, whether they run now). A policy that wants to know
which modules are built while it is active (``module_built``) also gets every ``nn.Module`` the
thread constructs: ``nn.Module.__init__`` is wrapped while such a policy is open anywhere.
"""

from __future__ import annotations

import functools
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any, Callable, Protocol

import torch

from . import _fork

__all__ = ["NnInitPatch", "Policy"]


class Policy(Protocol):
    """How a thread's calls of the patched functions run: ``policy(fn, position, args, kwargs)``
    calls ``fn`` (weightinit's function) as it sees fit and returns what the call returns.
    ``position`` is the index of ``fn``'s ``generator`` parameter, None for functions that draw
    nothing. Optionally ``module_built(module)`` is told of every module the thread constructs."""

    def __call__(self, fn: Callable[..., Any], position: int | None, args: tuple, kwargs: dict) -> Any: ...


class NnInitPatch:
    """Wrappers for some of ``torch.nn.init``'s functions, installed while any block is open.

    ``replacements`` maps a function name to (its weightinit version, the position of its
    ``generator`` parameter or None when it is not random). Inside a block, each call goes to the
    calling thread's innermost policy; threads without one call weightinit's function directly.
    """

    def __init__(self, replacements: dict[str, tuple[Callable[..., Any], int | None]]) -> None:
        self._local = threading.local()  # .policies: this thread's stack of policies
        self.names = frozenset(replacements)
        self.originals = {name: getattr(torch.nn.init, name) for name in replacements}
        self.patched = {name: self._wrap(name, fn, position) for name, (fn, position) in replacements.items()}
        self._lock = threading.RLock()
        self._active = 0  # open blocks, all threads
        self._tracking = 0  # open blocks whose policy watches module construction, all threads
        self._records: list[tuple[dict, str, Any]] = []  # (module dict, name, value before)
        self._module_init = self._wrap_module_init(torch.nn.Module.__init__)
        _fork.run_in_child(self._new_lock)

    def _new_lock(self) -> None:
        # A thread of the parent may have held the lock when another forked: the child gets a
        # free one. (A fork in the middle of an install leaves the child's torch.nn.init partly
        # patched; it does not hang.)
        self._lock = threading.RLock()

    def current(self) -> Policy | None:
        """The calling thread's innermost policy, or None outside any block."""
        policies = getattr(self._local, "policies", None)
        return policies[-1] if policies else None

    def _wrap(self, name: str, fn: Callable[..., Any], position: int | None) -> Callable[..., Any]:
        local = self._local

        def patched(*args: Any, **kwargs: Any) -> Any:
            policies = getattr(local, "policies", None)
            if not policies:
                return fn(*args, **kwargs)
            return policies[-1](fn, position, args, kwargs)

        functools.update_wrapper(patched, fn)
        patched.__qualname__ = f"patch_nn_init.<patched {name}>"
        return patched

    def _wrap_module_init(self, original: Callable[..., None]) -> Callable[..., None]:
        local = self._local

        def __init__(module: torch.nn.Module, *args: Any, **kwargs: Any) -> None:
            original(module, *args, **kwargs)
            policies = getattr(local, "policies", None)
            built = getattr(policies[-1], "module_built", None) if policies else None
            if built is not None:
                built(module)

        functools.update_wrapper(__init__, original)
        __init__.__wrapped_by_weightinit__ = original  # type: ignore[attr-defined]
        return __init__

    # -- entering and leaving ---------------------------------------------------------------
    def enter(self, policy: Policy) -> None:
        tracks = hasattr(policy, "module_built")
        with self._lock:
            if self._active == 0:
                self._install()
            self._active += 1
            if tracks:
                if self._tracking == 0:
                    torch.nn.Module.__init__ = self._module_init  # type: ignore[method-assign]
                self._tracking += 1
        policies = getattr(self._local, "policies", None)
        if policies is None:
            policies = self._local.policies = []
        policies.append(policy)

    def leave(self) -> None:
        policy = self._local.policies.pop()
        with self._lock:
            if hasattr(policy, "module_built"):
                self._tracking -= 1
                if self._tracking == 0 and torch.nn.Module.__dict__["__init__"] is self._module_init:
                    torch.nn.Module.__init__ = self._module_init.__wrapped_by_weightinit__  # type: ignore[method-assign]
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
