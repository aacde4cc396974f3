"""Which tests need a jsii load, found from the code itself (so new tests are classified without
anyone remembering a marker).

A test needs jsii when importing its module does (a top-level import that reaches ``constructs``,
``cdktf``/``cdktn``, a provider binding or a ``toolchain.<alias>``), or when its function, or any
fixture it uses (directly or through other fixtures), or any project function those call, imports
such a module when it runs (``from stacks.app import build_app`` inside a function). The analysis is
static (``ast`` over the project's own files), so it costs milliseconds and imports nothing.

It is conservative in one direction: a function that *could* import jsii counts as needing it.
What it cannot see (``importlib.import_module`` with a computed name, a method called through an
object, a path through an import cycle, which is cut where it closes) is caught at run time: in
``--inner-loop`` mode the jsii import itself is refused, failing the test that makes it
(tests/conftest.py).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from types import FunctionType, ModuleType

import toolchain

ROOT = Path(__file__).resolve().parent.parent.parent

# Importing any of these starts the jsii Node process (and, for the providers, loads their
# assemblies: ~14 s of CPU for cdktf 0.21 on these machines, docs/performance.md).
JSII_PACKAGES = frozenset({"jsii", "constructs", *(p for packages in toolchain.PACKAGES.values() for p in packages.values())})


# The fields of a statement that hold more statements (if/for/while/with/try/class/def bodies).
_BLOCKS = ("body", "orelse", "finalbody", "handlers")


def _is_jsii_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] in JSII_PACKAGES:
        return True
    # toolchain.<alias>[.<submodule>] is served by toolchain._AliasFinder from the real package.
    return parts[0] == "toolchain" and len(parts) > 1 and parts[1] in toolchain.PACKAGES[toolchain.DEFAULT]


def _project_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_level_nodes(tree: ast.AST) -> Iterable[ast.AST]:
    """Nodes that run when the module is imported: not inside a def or a lambda, and not under
    ``if TYPE_CHECKING:``."""
    pending = list(ast.iter_child_nodes(tree))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending += node.orelse
            continue
        yield node
        # Imports are statements: only blocks of statements can hold more of them.
        for block in _BLOCKS:
            pending += [child for child in getattr(node, block, ()) if isinstance(child, ast.stmt | ast.excepthandler)]


def _from_base(node: ast.ImportFrom, package: str) -> str:
    """The module a ``from ... import`` reads from, relative imports resolved against ``package``."""
    if not node.level:
        return node.module or ""
    parent = package.split(".")
    return ".".join(parent[: len(parent) - node.level + 1] + ([node.module] if node.module else []))


def _imported_modules(node: ast.AST, package: str) -> list[str]:
    """Every module an import statement executes: the named one, its parent packages, and for
    ``from a import b`` also ``a.b`` when that is a module of the project."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = _from_base(node, package)
        names = [base] + [f"{base}.{alias.name}" for alias in node.names if _project_file(f"{base}.{alias.name}")]
        lazy = lazy_exports_of(base)  # a name of a lazy package comes from the module that defines it
        wanted = set(lazy) if any(alias.name == "*" for alias in node.names) else {alias.name for alias in node.names}
        names += sorted({lazy[name] for name in wanted & set(lazy)})
    found = []
    for name in names:
        parts = name.split(".")
        found += [".".join(parts[: i + 1]) for i in range(len(parts))]
    return found


@cache
def lazy_exports_of(name: str) -> dict[str, str]:
    """For a package whose ``__init__`` uses ``constructs_lib._exports.lazy_exports``: each name it
    exports -> the module it is imported from on first use. Read from the literal map, not imported."""
    path = _project_file(name)
    tree = _tree(str(path)) if path is not None and path.name == "__init__.py" else None
    for node in tree.body if tree is not None else ():
        call = node.value if isinstance(node, ast.Assign) else None
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "lazy_exports" and len(call.args) == 2:
            modules = ast.literal_eval(call.args[1])
            return {export: f"{name}.{module}" for module, exports in modules.items() for export in exports}
    return {}


def _names_lazy_jsii_export(node: ast.AST, scope: dict[str, object]) -> bool:
    """``package.Name`` where ``package`` is lazy and ``Name`` comes from a module that loads jsii
    (looking the name up would import it, so it is decided from the map)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module = scope.get(node.value.id)
        if isinstance(module, ModuleType):
            source = lazy_exports_of(module.__name__).get(node.attr)
            return source is not None and module_needs_jsii(source)
    return False


@cache
def module_needs_jsii(name: str) -> bool:
    """Whether importing module ``name`` (a dotted name) loads jsii."""
    if _is_jsii_module(name):
        return True
    path = _project_file(name)
    if path is None:
        return False
    _IN_PROGRESS.add(name)
    try:
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = _tree(str(path))
        for node in _module_level_nodes(tree) if tree is not None else ():
            for imported in _imported_modules(node, package):
                if imported != name and imported not in _IN_PROGRESS and module_needs_jsii(imported):
                    return True
        return False
    finally:
        _IN_PROGRESS.discard(name)


_IN_PROGRESS: set[str] = set()


def file_needs_jsii(path: Path) -> bool:
    """Whether importing the test module at ``path`` loads jsii (its module-level imports)."""
    try:
        relative = path.resolve().relative_to(ROOT).with_suffix("")
    except ValueError:  # not a file of this project
        return False
    return module_needs_jsii(".".join(relative.parts))


@cache
def _is_project_file(source: str) -> bool:
    return Path(source).resolve().is_relative_to(ROOT) and "site-packages" not in source


def is_project_code(obj: object) -> bool:
    code = getattr(obj, "__code__", None)
    if code is not None:
        return _is_project_file(code.co_filename)
    try:
        source = inspect.getsourcefile(obj)  # type: ignore[arg-type]
    except TypeError:
        return False
    return bool(source) and _is_project_file(source)


@cache
def _tree(filename: str) -> ast.Module | None:
    """One parse per file, shared by the module and function analyses."""
    try:
        return ast.parse(Path(filename).read_text(), filename=filename)
    except (OSError, SyntaxError, ValueError):
        return None


@cache
def _definitions(filename: str) -> dict[int, ast.AST]:
    """Every function definition in a file, by the line its code object starts on (its first
    decorator's, or the ``def``): one parse per file instead of one ``getsource`` per function.
    Only statements are visited (a ``def`` is a statement), not every expression node."""
    tree = _tree(filename)
    found: dict[int, ast.AST] = {}
    pending: list[ast.AST] = list(tree.body) if tree is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.setdefault(min([node.lineno] + [d.lineno for d in node.decorator_list]), node)
        for block in _BLOCKS:
            pending += [child for child in getattr(node, block, ()) if isinstance(child, ast.stmt | ast.excepthandler)]
    return found


def _definition(function: Callable) -> ast.AST | None:
    code = getattr(function, "__code__", None)
    if code is not None:
        node = _definitions(code.co_filename).get(code.co_firstlineno)
        if node is not None and getattr(node, "name", None) == code.co_name:
            return node
    try:  # a lambda, or source that moved since import
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    return tree.body[0] if tree.body else tree


def _body(function: Callable) -> tuple[list[ast.AST], dict[str, object], str] | None:
    """The nodes of ``function``'s body (not its decorators, which run at import), the names they
    see (a local ``import subprocess``/``os`` included) and the package relative imports start from."""
    definition = _definition(function)
    if definition is None:
        return None
    module = inspect.getmodule(function)
    package = ""
    if module is not None:
        package = module.__name__ if hasattr(module, "__path__") else module.__name__.rpartition(".")[0]
    scope = {**getattr(function, "__globals__", {}), **_closure(function)}
    body = definition.body if isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef) else [definition]
    nodes = [n for statement in body for n in ast.walk(statement)]
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ("subprocess", "os"):
                    scope[alias.asname or alias.name] = subprocess if alias.name == "subprocess" else os
    return nodes, scope, package


def _reaches(
    function: Callable,
    leaf: Callable[[ast.AST, dict[str, object], str], bool],
    follow: Callable[[Callable], bool],
    in_progress: set[Callable],
) -> bool:
    """Whether ``leaf`` holds for a node of ``function``'s body or, through ``follow`` (the cached
    analysis itself), for a project function it imports or names; a cycle is cut where it closes."""
    found = _body(function)
    if found is None:
        return False
    nodes, scope, package = found
    in_progress.add(function)
    try:
        for node in nodes:
            if leaf(node, scope, package):
                return True
            callees: list[Callable] = []
            if isinstance(node, ast.ImportFrom):
                callees = _imported_functions(node, package)
            elif isinstance(node, ast.Name | ast.Attribute) and not _names_lazy_jsii_export(node, scope):
                # (a lazy export from a jsii module is not looked up: that would import it)
                target = _resolve(node, scope)
                callees = [target] if target is not None else []
            if any(f not in in_progress and follow(f) for f in callees):
                return True
        return False
    finally:
        in_progress.discard(function)


def _loads_jsii_directly(node: ast.AST, scope: dict[str, object], package: str) -> bool:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return any(module_needs_jsii(m) for m in _imported_modules(node, package))
    return _names_lazy_jsii_export(node, scope)


@cache
def _function_needs_jsii(function: Callable) -> bool:
    return _reaches(function, _loads_jsii_directly, _function_needs_jsii, _IN_PROGRESS_FUNCTIONS)


_IN_PROGRESS_FUNCTIONS: set[Callable] = set()


def _imported_functions(node: ast.AST, package: str) -> list[Callable]:
    """The project functions a function-local ``from module import name`` brings in. The module is
    imported to look them up only when that cannot load jsii (else the import itself counted)."""
    if not isinstance(node, ast.ImportFrom):
        return []
    base = _from_base(node, package)
    if not base or _project_file(base) is None or module_needs_jsii(base):
        return []
    try:
        module = importlib.import_module(base)
    except Exception:  # a module that fails to import is the test's problem, not the classifier's
        return []
    found = []
    lazy = lazy_exports_of(base)
    for alias in node.names:
        if alias.name in lazy and module_needs_jsii(lazy[alias.name]):
            continue  # the import itself counted (``_imported_modules``); looking it up would load jsii
        target = getattr(module, alias.name, None)
        target = inspect.unwrap(target) if callable(target) else target
        if isinstance(target, FunctionType) and is_project_code(target):
            found.append(target)
    return found


def _closure(function: Callable) -> dict[str, object]:
    code = getattr(function, "__code__", None)
    cells = getattr(function, "__closure__", None) or ()
    if code is None:
        return {}
    values = {}
    for name, cell in zip(code.co_freevars, cells, strict=False):
        try:
            values[name] = cell.cell_contents
        except ValueError:
            continue
    return values


def _resolve(node: ast.Name | ast.Attribute, scope: dict[str, object]) -> Callable | None:
    """The project function a name (``helper``) or a module attribute (``mirror.build``) refers to."""
    if isinstance(node, ast.Name):
        target = scope.get(node.id)
    elif isinstance(node.value, ast.Name) and isinstance(scope.get(node.value.id), ModuleType):
        target = getattr(scope[node.value.id], node.attr, None)
    else:
        return None
    target = inspect.unwrap(target) if callable(target) else target
    if isinstance(target, FunctionType) and is_project_code(target):
        return target
    return None


def function_needs_jsii(function: Callable) -> bool:
    """Whether calling ``function`` can import jsii (its own imports, and those of the project
    functions it names, transitively)."""
    function = inspect.unwrap(function)
    return isinstance(function, FunctionType) and _function_needs_jsii(function)


# What starts a process: these subprocess functions, and the os functions that run or replace one.
_SUBPROCESS_STARTS = frozenset({"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput"})
_OS_PROCESS_FUNCTIONS = frozenset({"system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp"})
_OS_PROCESS_PREFIXES = ("exec", "spawn")


def _starts_process_directly(node: ast.AST, scope: dict[str, object], _package: str = "") -> bool:
    if isinstance(node, ast.ImportFrom) and node.module == "subprocess":
        return any(alias.name in _SUBPROCESS_STARTS for alias in node.names)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module = scope.get(node.value.id)
        if module is subprocess:
            return node.attr in _SUBPROCESS_STARTS
        if module is os:
            return node.attr in _OS_PROCESS_FUNCTIONS or node.attr.startswith(_OS_PROCESS_PREFIXES)
    if isinstance(node, ast.Name):
        target = scope.get(node.id)
        return getattr(target, "__module__", "") == "subprocess" and getattr(target, "__name__", "") in _SUBPROCESS_STARTS
    return False


@cache
def _function_starts_process(function: Callable) -> bool:
    return _reaches(
        function,
        lambda node, scope, _package: _starts_process_directly(node, scope),
        _function_starts_process,
        _IN_PROGRESS_PROCESS,
    )


_IN_PROGRESS_PROCESS: set[Callable] = set()


def function_starts_process(function: Callable) -> bool:
    """Whether calling ``function`` can start a process (subprocess, os.system/exec/spawn/fork),
    itself or through the project functions it names, transitively. Like the jsii analysis it
    cannot follow a method called through an object; `make check` refuses such a start at run time."""
    function = inspect.unwrap(function)
    return isinstance(function, FunctionType) and _function_starts_process(function)


def jsii_loaded() -> bool:
    return "jsii" in sys.modules
