"""The ``init`` command's initializer options, derived from the initializers' signatures.

The options of an initializer of :data:`weightinit.initializers.INITIALIZERS` are its parameters
other than :data:`NOT_OPTIONS`; a parameter without a default is a required option. Its type
hint says what the option takes: ``float`` a number, ``int`` an integer, ``Literal[...]`` one of
its strings, ``int | Sequence[int]`` (an ``Axis``) one or more axes, and ``X | None`` what ``X``
takes. Nothing here names an initializer or a parameter: a function added to the initializers is
offered by the command with its options, defaults and choices.

``in_axis``/``out_axis`` of :func:`weightinit.variance_scaling` are options too (``--in-axis 0
--out-axis 1 2``): the rule has no exceptions, and they are what JAX users give for layouts that
``--layout`` does not name.
"""

from __future__ import annotations

import collections.abc
import inspect
import sys
import typing
from dataclasses import dataclass
from typing import Any, Callable, Literal, Union, get_args, get_origin

from . import initializers

__all__ = [
    "NOT_OPTIONS",
    "REQUIRED",
    "Option",
    "SharedOption",
    "epilog",
    "initializer_options",
    "options_by_initializer",
    "parse_int",
    "shared_options",
]

#: The parameters every initializer takes that the command sets itself (or never sets).
NOT_OPTIONS = frozenset({"shape", "dtype", "seed", "out", "index"})
#: The default of a required option.
REQUIRED = inspect.Parameter.empty
#: Choices are shown as {a,b,c} up to this length, else as NAME (the help lists them).
_CHOICES_METAVAR_WIDTH = 40


def parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"not an integer: {text!r}") from None


@dataclass(frozen=True)
class Option:
    """A keyword parameter of an initializer as a command-line option."""

    name: str  #: the parameter's name
    kind: str  #: "number", "integer", "choice" or "axes" (one or more ints)
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def many(self) -> bool:
        """Takes one or more words (``nargs="+"``)."""
        return self.kind == "axes"

    @property
    def metavar(self) -> str:
        if self.kind == "choice":
            return _choices_metavar(self.choices)
        return {"number": "X", "integer": "N", "axes": "AXIS"}[self.kind]

    def parse(self, value: str | list[str]) -> Any:
        """The argument from its word (a list of words when :attr:`many`); ValueError saying why
        when it is not one."""
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(f"invalid choice: {value!r} (choose from {', '.join(self.choices)})")
            return value
        if self.kind == "number":
            try:
                return float(value)
            except ValueError:
                raise ValueError(f"not a number: {value!r}") from None
        if self.kind == "integer":
            return parse_int(value)
        axes = tuple(parse_int(word) for word in value)
        return axes[0] if len(axes) == 1 else axes

    def words(self, value: Any) -> list[str]:
        """The words that give ``value`` on a command line."""
        if self.kind == "axes" and not isinstance(value, int):
            return [str(v) for v in value]
        return [repr(value) if isinstance(value, float) else str(value)]

    @property
    def default_text(self) -> str:
        return "required" if self.required else f"default {self.default}"

    def describe(self) -> str:
        """Its choices and default, for --help."""
        return (_alternatives(self.choices) + ", " if self.choices else "") + self.default_text


def _alternatives(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _choices_metavar(choices: tuple[str, ...]) -> str:
    text = "{" + ",".join(choices) + "}"
    return text if len(text) <= _CHOICES_METAVAR_WIDTH else "NAME"


def initializer_options(fn: Callable[..., Any]) -> dict[str, Option]:
    """``fn``'s options by name, in the order of its signature."""
    hints = _type_hints(fn)
    options = {}
    for name, p in inspect.signature(fn).parameters.items():
        if name in NOT_OPTIONS or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        options[name] = _option(fn, name, hints.get(name), p.default)
    return options


def options_by_initializer() -> dict[str, dict[str, Option]]:
    """Every initializer's options, by the initializer's name."""
    return {name: initializer_options(fn) for name, fn in initializers.INITIALIZERS.items()}


@dataclass
class SharedOption:
    """The one command-line option that serves every initializer's option of a name.

    Its words are read per initializer (by :meth:`Option.parse` of the chosen one), since an
    option may mean a number for one initializer and a choice for another.
    """

    name: str
    #: the distinct options of this name, each with the initializers that take it
    groups: list[tuple[list[str], Option]]

    @property
    def flag(self) -> str:
        return self.groups[0][1].flag

    @property
    def many(self) -> bool:
        return self.groups[0][1].many

    @property
    def metavar(self) -> str:
        """The union of the choices, or the common metavar, or VALUE."""
        options = [option for _, option in self.groups]
        if all(o.kind == "choice" for o in options):
            return _choices_metavar(tuple(dict.fromkeys(c for o in options for c in o.choices)))
        metavars = {o.metavar for o in options}
        return metavars.pop() if len(metavars) == 1 else "VALUE"

    @property
    def help(self) -> str:
        return "; ".join(f"{', '.join(inits)}: {option.describe()}" for inits, option in self.groups)


def shared_options(table: dict[str, dict[str, Option]]) -> list[SharedOption]:
    """The options of every initializer of ``table``, one per name, in order of appearance."""
    shared: dict[str, SharedOption] = {}
    for init, options in table.items():
        for name, option in options.items():
            groups = shared.setdefault(name, SharedOption(name, [])).groups
            for inits, known in groups:
                if known == option:
                    inits.append(init)
                    break
            else:
                if groups and groups[0][1].many != option.many:  # one argparse option serves them all
                    raise TypeError(f"{option.flag} takes one word for some initializers and several for others")
                groups.append(([init], option))
    return list(shared.values())


def epilog(table: dict[str, dict[str, Option]], width: int = 100) -> str:
    """Each initializer's options with their defaults, a line (or a few) for the initializers
    that take the same options."""
    same: dict[tuple[Option, ...], list[str]] = {}
    for init, options in table.items():
        same.setdefault(tuple(options.values()), []).append(init)
    lines = []
    for options, inits in same.items():
        line = f"  {', '.join(inits)}:"
        for item in [f"{o.flag} {o.metavar}{' ...' if o.many else ''} ({o.default_text})" for o in options] or ["no options"]:
            if len(line) + 1 + len(item) > width and not line.endswith(":"):  # an option stays on one line
                lines.append(line)
                line = "     "
            line += " " + item
        lines.append(line)
    return "\n".join(lines)


def _option(fn: Callable[..., Any], name: str, hint: Any, default: Any) -> Option:
    if get_origin(hint) is Union:
        types = tuple(t for t in get_args(hint) if t is not type(None))
        if _is_axes(types):
            return Option(name, "axes", default)
        hint = types[0] if len(types) == 1 else hint
    if hint is float:
        return Option(name, "number", default)
    if hint is int:
        return Option(name, "integer", default)
    if get_origin(hint) is Literal and all(isinstance(c, str) for c in get_args(hint)):
        return Option(name, "choice", default, get_args(hint))
    raise TypeError(
        f"{fn.__name__}({name}: {hint!r}): the init command takes float, int, Literal[str, ...], "
        "int | Sequence[int] and those | None from the command line; annotate the parameter with one"
    )


def _is_axes(types: tuple[Any, ...]) -> bool:
    """``int | Sequence[int]``: an axis or several."""
    return int in types and all(
        t is int or (get_origin(t) is collections.abc.Sequence and get_args(t) == (int,)) for t in types
    )


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """``fn``'s parameter annotations, evaluated."""
    try:
        return typing.get_type_hints(fn)
    except TypeError:
        if sys.version_info >= (3, 10):
            raise
    # Python 3.9 cannot evaluate ``X | None`` (PEP 604) in a string annotation (the initializers
    # use ``from __future__ import annotations``): evaluate each side of ``|`` and join them.
    namespace = getattr(inspect.unwrap(fn), "__globals__", {})
    hints = {}
    for name, p in inspect.signature(fn).parameters.items():
        if isinstance(p.annotation, str):
            parts = tuple(eval(part, namespace) for part in p.annotation.split("|"))  # noqa: S307
            hints[name] = Union[parts] if len(parts) > 1 else parts[0]
        elif p.annotation is not p.empty:
            hints[name] = p.annotation
    return hints
