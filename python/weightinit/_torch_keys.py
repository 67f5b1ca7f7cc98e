"""Which key each ``torch.nn.init`` call gets inside ``patch_nn_init`` and ``init_module``: the
policies of :mod:`._torch_patch` (imports torch).

- :class:`StreamKeys`: every call draws the next key from one source, in call order (the default).
- :class:`NameKeys`: a call on a parameter or buffer is keyed by its qualified name in the modules
  being initialized, from (root seed, name) with nothing drawn, so the order of the calls and the
  other parameters do not matter; a call on any other tensor draws from a stream.
- :class:`DeferredNameKeys`: the ``by_name`` block of ``patch_nn_init``, where names are not known
  yet while modules are built (a layer is built before it is attached to its parent): calls inside
  the ``reset_parameters`` of a module built in the block are left to the block's exit, which
  re-runs every built model's resets by name (:func:`reset_walk`) and then replays, by name,
  the calls made outside them.
"""

from __future__ import annotations

import sys
import warnings
import weakref
from typing import Any, Callable

import numpy as np
import torch

from ._seed import PhiloxKey

__all__ = ["DeferredNameKeys", "NameKeys", "StreamKeys", "TensorNames", "name_key", "reset_walk"]

#: The methods a module initializes its own parameters in (nn.MultiheadAttention and
#: nn.Transformer use the private name), in the order :func:`reset_walk` looks for them.
RESET_METHODS = ("reset_parameters", "_reset_parameters")
#: The spawn-key word of the stream for tensors without a name (names give a length first, and
#: no name has 2**32 - 1 bytes).
_UNNAMED = 2**32 - 1


def _seeded(position: int | None, args: tuple, kwargs: dict) -> bool:
    """Whether a call chose its own randomness (``generator=`` or ``seed=``), or draws nothing."""
    if position is None or kwargs.get("seed") is not None:
        return True
    gen = args[position] if len(args) > position else kwargs.get("generator")
    return gen is not None


def _tensor_of(args: tuple, kwargs: dict) -> Any:
    return args[0] if args else kwargs.get("tensor")


class StreamKeys:
    """Each random call without its own ``generator=``/``seed=`` gets ``seed=source`` (a
    generator it draws its key from, in call order); with ``source`` None calls run as they are
    (torch's default generator)."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def __call__(self, fn: Callable[..., Any], position: int | None, args: tuple, kwargs: dict) -> Any:
        if self.source is not None and not _seeded(position, args, kwargs):
            kwargs["seed"] = self.source
        return fn(*args, **kwargs)


def name_key(root: np.random.SeedSequence, name: str) -> PhiloxKey:
    """The key of the tensor named ``name``: the root's entropy with the name's UTF-8 bytes (as
    little-endian 32-bit words, after their count) appended to its spawn key."""
    data = name.encode("utf-8")
    words = np.frombuffer(data + b"\0" * (-len(data) % 4), dtype="<u4")
    seq = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, len(data), *(int(w) for w in words)))
    k = seq.generate_state(2, np.uint32)
    return PhiloxKey((int(k[0]), int(k[1])))


def unnamed_stream(root: np.random.SeedSequence) -> np.random.SeedSequence:
    """The seed of the stream for tensors that have no name."""
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, _UNNAMED))


class TensorNames:
    """The qualified name of every parameter and buffer of some modules (each relative to its
    own root, first name of a shared tensor), found by the tensor object, or for a view of a
    CPU parameter by its memory: the parameter's name and the view's offset, shape and strides."""

    def __init__(self, roots: list[torch.nn.Module]) -> None:
        self._by_id: dict[int, tuple[str, torch.Tensor]] = {}
        self._by_memory: dict[int, list[tuple[str, torch.Tensor]]] = {}
        for root in roots:
            for name, t in (*root.named_parameters(), *root.named_buffers()):
                if id(t) in self._by_id:
                    continue
                self._by_id[id(t)] = (name, t)  # the tensor is kept, so its id stays its own
                if type(t) in (torch.Tensor, torch.nn.Parameter) and t.device.type == "cpu":
                    ptr = t.untyped_storage().data_ptr()
                    if ptr:
                        self._by_memory.setdefault(ptr, []).append((name, t))

    def __len__(self) -> int:
        return len(self._by_id)

    def name_of(self, tensor: Any) -> str | None:
        found = self._by_id.get(id(tensor))
        if found is not None and found[1] is tensor:
            return found[0]
        if type(tensor) not in (torch.Tensor, torch.nn.Parameter) or tensor.device.type != "cpu":
            return None
        ptr = tensor.untyped_storage().data_ptr()
        for name, t in self._by_memory.get(ptr, ()):
            if t.dtype != tensor.dtype:
                continue
            offset = tensor.storage_offset() - t.storage_offset()
            if offset == 0 and tuple(tensor.shape) == tuple(t.shape) and tensor.stride() == t.stride():
                return name  # the parameter itself (its .data, or a Parameter made around it)
            if 0 <= offset and _end(tensor) <= _end(t):
                return f"{name}[offset={offset}, shape={tuple(tensor.shape)}, stride={tensor.stride()}]"
        return None


def _end(t: torch.Tensor) -> int:
    """One past the last storage element ``t`` reaches."""
    return t.storage_offset() + sum((n - 1) * s for n, s in zip(t.shape, t.stride()) if n > 0) + 1


class NameKeys:
    """A random call on a named tensor gets ``seed=name_key(root, name)``; on any other tensor,
    ``seed=unnamed`` (a generator: keys in call order)."""

    def __init__(self, root: np.random.SeedSequence, names: TensorNames, unnamed: Any) -> None:
        self.root = root
        self.names = names
        self.unnamed = unnamed

    def __call__(self, fn: Callable[..., Any], position: int | None, args: tuple, kwargs: dict) -> Any:
        if not _seeded(position, args, kwargs):
            name = self.names.name_of(_tensor_of(args, kwargs))
            kwargs["seed"] = self.unnamed if name is None else name_key(self.root, name)
        return fn(*args, **kwargs)


def reset_walk(module: torch.nn.Module, after: Callable[[torch.nn.Module], None] | None = None) -> None:
    """Call every submodule's ``reset_parameters()`` (else ``_reset_parameters()``), children
    before parents and in registration order, each module once: the order in which building a
    model calls them when each module builds its children before resetting itself
    (``nn.Module.apply``'s order). ``after(m)`` follows each reset."""
    seen: set[int] = set()

    def visit(m: torch.nn.Module) -> None:
        if id(m) in seen:
            return
        seen.add(id(m))
        for child in m.children():
            visit(child)
        for method in RESET_METHODS:
            reset = getattr(m, method, None)
            if callable(reset):
                reset()
                if after is not None:
                    after(m)
                break

    visit(module)


class DeferredNameKeys:
    """The policy of ``patch_nn_init(by_name=True)``.

    While the block is open: every module the thread builds is remembered; a call made inside a
    reset method of such a module does nothing (the exit re-runs that method by name); any other
    call runs at once, keyed from the stream for unnamed tensors, and is remembered. At the exit
    (:meth:`finish`): the models built in the block (the built modules that are no other built
    module's descendants) are reset by name with :func:`reset_walk`, then the remembered calls
    whose tensor has a name in them are made again, in their order, keyed by that name.
    """

    def __init__(self, root: np.random.SeedSequence, unnamed: Any, walk: Callable[[torch.nn.Module], None]) -> None:
        self.root = root
        self.unnamed = unnamed
        self.walk = walk  # reset_walk, with its after-reset step
        self._built: list[weakref.ref] = []
        self._built_set: weakref.WeakSet = weakref.WeakSet()
        self._calls: list[tuple[Callable[..., Any], int | None, tuple, dict]] = []

    def module_built(self, module: torch.nn.Module) -> None:
        if module not in self._built_set:
            self._built_set.add(module)
            self._built.append(weakref.ref(module))

    def _in_reset_of_built_module(self) -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_name in RESET_METHODS:
                owner = frame.f_locals.get("self")
                if isinstance(owner, torch.nn.Module) and owner in self._built_set:
                    return True
            frame = frame.f_back
        return False

    def __call__(self, fn: Callable[..., Any], position: int | None, args: tuple, kwargs: dict) -> Any:
        if self._in_reset_of_built_module():
            return _tensor_of(args, kwargs)
        self._calls.append((fn, position, args, dict(kwargs)))
        if not _seeded(position, args, kwargs):
            kwargs["seed"] = self.unnamed
        return fn(*args, **kwargs)

    def roots(self) -> list[torch.nn.Module]:
        alive = [m for m in (ref() for ref in self._built) if m is not None]
        inner = {id(c) for m in alive for c in m.modules() if c is not m}
        return [m for m in alive if id(m) not in inner]

    def finish(self, enter: Callable[[Any], None], leave: Callable[[], None]) -> None:
        """Initialize the models built in the block by name (``enter``/``leave`` open and close
        the immediate :class:`NameKeys` policy this runs under)."""
        roots = self.roots()
        names = TensorNames(roots)
        policy = NameKeys(self.root, names, self.unnamed)
        enter(policy)
        try:
            for root in roots:
                self.walk(root)
            with warnings.catch_warnings():  # they warned when first made
                warnings.simplefilter("ignore")
                for fn, position, args, kwargs in self._calls:
                    if names.name_of(_tensor_of(args, kwargs)) is not None:
                        policy(fn, position, args, dict(kwargs))
        finally:
            leave()
            self._calls.clear()
