"""After ``fork()``: no lock in the child that only a thread of the parent could release.

The compiled core needs nothing from here: its worker pool forgets the parent's threads in a
``pthread_atfork`` handler and starts anew in the child (``cpp/thread_pool.hpp``). What remains
are the Python-level locks that serialize draws from a bit generator. A thread of the parent
may hold one, in the middle of a draw, at the moment another thread forks; in the child that
thread does not exist, so the lock would stay held forever.

- Module-level locks of weightinit's own (``run_in_child``) are made anew in the child.
- A NumPy bit generator's lock belongs to NumPy (it cannot be replaced), and NumPy updates its
  state while the lock is held. A weightinit ``Generator`` over a NumPy bit generator whose
  lock was held when the process forked raises ``RuntimeError`` in the child instead of
  waiting forever.
"""

from __future__ import annotations

import os
import weakref
from typing import Any, Callable

__all__ = ["ForkedWhileInUse", "check_usable_after_fork", "run_in_child", "track_numpy_lock_user"]

# weightinit objects that use a lock they do not own (``numpy_lock``).
_numpy_lock_users: "weakref.WeakSet[Any]" = weakref.WeakSet()
# Functions that re-make module-level locks in a child.
_child_callbacks: list[Callable[[], None]] = []
# Filled just before a fork: the users whose NumPy lock another thread held.
_held_at_fork: list[Any] = []


class ForkedWhileInUse(RuntimeError):
    """A bit generator was in use by another thread of the parent when this process forked."""


def track_numpy_lock_user(obj: Any) -> None:
    """``obj.numpy_lock`` is a lock weightinit cannot replace; if another thread holds it when the
    process forks, ``obj`` is marked unusable in the child (``check_usable_after_fork`` raises)."""
    _numpy_lock_users.add(obj)


def run_in_child(callback: Callable[[], None]) -> None:
    """Call ``callback()`` in every forked child (to re-make a module-level lock)."""
    _child_callbacks.append(callback)


def check_usable_after_fork(obj: Any) -> None:
    """Raise :class:`ForkedWhileInUse` if ``obj`` was marked in this (child) process."""
    if getattr(obj, "_forked_while_in_use", False):
        raise ForkedWhileInUse(
            "this process was forked while another thread of its parent was drawing from the same "
            "NumPy bit generator, so its lock stays held and its state is undefined here; make a "
            "new Generator in the child (e.g. Generator.spawn() before forking, or "
            "weightinit.default_rng(seed) after)"
        )


def _lock_is_held(lock: Any) -> bool:
    # Runs with the GIL held by the forking thread, and a lock is only taken or released by a
    # thread that holds the GIL, so what this sees is what the child inherits.
    if lock.acquire(blocking=False):
        lock.release()
        return False
    return True


def _before_fork() -> None:
    _held_at_fork.clear()
    for obj in list(_numpy_lock_users):
        if _lock_is_held(obj.numpy_lock):
            _held_at_fork.append(obj)


def _after_fork_in_parent() -> None:
    _held_at_fork.clear()


def _after_fork_in_child() -> None:
    for callback in _child_callbacks:
        callback()
    for obj in _held_at_fork:
        obj._forked_while_in_use = True
    _held_at_fork.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)
