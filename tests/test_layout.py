"""The package's layout rules, checked on its source: no import circle between its modules, and
no module reaching into another module's private names. Also: the front ends that are derived
from the initializers (weightinit.dask, the init command) have no hand-written table to forget."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import weightinit
from weightinit import initializers

PACKAGE = Path(weightinit.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    """Dotted module name (relative to the package) -> source file."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        found[".".join(parts)] = path
    return found


MODULES = _modules()
#: Compiled modules (known by their type stubs).
COMPILED = {p.stem for p in PACKAGE.glob("*.pyi")}


def _resolve(module: str, level: int, target: str | None) -> str:
    """The package-relative name a relative import in ``module`` refers to."""
    base = module.split(".") if module else []
    is_package = MODULES.get(module, Path()).name == "__init__.py"
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _imports(module: str) -> list[tuple[str, str | None, ast.AST]]:
    """(imported module, imported name or None, node) for every relative import, at any depth,
    except those only made for type checkers."""
    tree = ast.parse(MODULES[module].read_text())
    out = []
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            skip.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        target = _resolve(module, node.level, node.module)
        for alias in node.names:
            sub = f"{target}.{alias.name}" if target else alias.name
            if sub in MODULES or sub in COMPILED:
                out.append((sub, None, node))  # `from . import module`
            else:
                out.append((target, alias.name, node))
    return out


def test_the_package_has_no_import_circle():
    graph = {m: sorted({t for t, _, _ in _imports(m) if t in MODULES and t != m}) for m in MODULES}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for n in graph[m]:
            if state.get(n) == 1:
                cycle = path[path.index(n):] + [n]
                pytest.fail("import circle: " + " -> ".join(c or "weightinit" for c in cycle))
            if n not in state:
                visit(n)
        path.pop()
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_another_modules_private_names(module):
    tree = ast.parse(MODULES[module].read_text())
    imported_modules = {}
    for target, name, node in _imports(module):
        if name is not None and name.startswith("_") and not name.startswith("__"):
            pytest.fail(f"{module} imports the private name {name} of {target or 'weightinit'} (line {node.lineno})")
        if name is None:
            for alias in node.names:
                imported_modules[alias.asname or alias.name] = target
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported_modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and imported_modules[node.value.id] != "_core"  # the compiled core's names are its API
        ):
            pytest.fail(f"{module} uses the private name {node.value.id}.{node.attr} (line {node.lineno})")


def test_a_new_initializer_is_one_function_and_its_export():
    # What "adding an initializer" takes: a function in initializers.py that fills a tensor
    # (takes shape, out, index) and its name in __all__; INITIALIZERS picks it up, and from
    # there weightinit.dask and the init command (tests/test_dask.py, tests/test_cli_init.py).
    fills = {n for n in initializers.__all__ if {"shape", "out", "index"} <= set(initializers.INITIALIZERS.get(n, initializers.compute_fans).__code__.co_varnames)}
    assert set(initializers.INITIALIZERS) == fills
    assert set(initializers.INITIALIZERS) <= set(weightinit.__all__)


def test_the_version_is_the_one_in_pyproject():
    tomllib = pytest.importorskip("tomllib")
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    assert tomllib.loads(pyproject.read_text())["project"]["version"] == weightinit.__version__
