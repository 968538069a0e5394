"""The architecture is checked, not hoped: import contracts and each package's public surface.

`lint-imports` (scripts/test) checks the contracts in pyproject.toml on the real tree; here a
copy of the tree with one deliberate bad import shows that each kind of contract breaks.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import io
import pkgutil
import re
import shutil
import subprocess
import sys
import tokenize
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from catalog.settings import Settings
from catalog.state import database_url, open_state

REPO = Path(__file__).resolve().parents[1]
ROOTS = ("catalog", "api", "web", "cli", "validation", "drafting", "curation", "benchmarks")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# Packages with no public surface of their own: `catalog` only holds the packages below it,
# and the other two are imported only by their parent (the import contracts see to that).
NO_SURFACE = {"catalog", "api.routes", "validation.checks"}


def copy_tree(source: Path, target: Path) -> None:
    """The packages and the contract configuration, nothing else."""
    for root in ROOTS:
        shutil.copytree(source / root, target / root, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(source / "pyproject.toml", target)


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def clean_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project that keeps its contracts, as the real tree must."""
    tree = tmp_path_factory.mktemp("clean")
    copy_tree(REPO, tree)
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    return tree


def add_import(tree: Path, module: str, statement: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{statement}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("importer", "statement", "contract", "link"),
    [
        (
            "catalog.sql.filters",
            "import catalog.query",
            "Imports flow one way",
            "catalog.sql.filters -> catalog.query",
        ),
        (
            "web.charts",
            "from catalog.query.engine import QueryEngine",
            "Outside catalog.query, only catalog.query itself is imported",
            "web.charts -> catalog.query.engine",
        ),
        (
            "validation.report",
            "import fastapi",
            "validation knows neither the store nor the web framework",
            "validation.report -> fastapi",
        ),
        (
            "catalog.metadata.citation",
            "import starlette",
            "catalog knows no web framework",
            "catalog.metadata.citation -> starlette",
        ),
        (
            "benchmarks.ckan",
            "from catalog.store.folder import FolderStore",
            "Outside catalog.store, only catalog.store itself is imported",
            "benchmarks.ckan -> catalog.store.folder",
        ),
        (
            "curation.units",
            "import api",
            "curation knows neither the service nor the benchmarks",
            "curation.units -> api",
        ),
        (
            "catalog.state.audit",
            "import curation",
            "The served code knows neither the curation nor the benchmarks",
            "catalog.state.audit -> curation",
        ),
    ],
)
def test_contracts_break_on_a_deliberate_bad_import(
    clean_tree: Path, tmp_path: Path, importer: str, statement: str, contract: str, link: str
) -> None:
    copy_tree(clean_tree, tmp_path)
    add_import(tmp_path, importer, statement)
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
    assert link in broken


def packages() -> list[ModuleType]:
    found = [importlib.import_module(root) for root in ROOTS]
    for root in list(found):
        for info in pkgutil.walk_packages(root.__path__, prefix=root.__name__ + "."):
            if info.ispkg:
                found.append(importlib.import_module(info.name))
    return found


def is_ours(value: object) -> bool:
    """Defined in the project (or a plain value such as a constant), not a borrowed helper."""
    home = getattr(value, "__module__", None)
    return home is None or home.split(".")[0] in ROOTS


def unlisted_exports(package: ModuleType) -> set[str]:
    """Public names in the package that come from the project yet are missing from __all__."""
    listed = set(getattr(package, "__all__", ()))
    return {
        name
        for name, value in vars(package).items()
        if not name.startswith("_")
        and not isinstance(value, ModuleType)
        and name not in listed
        and is_ours(value)
    }


def surface_cases() -> list[ModuleType]:
    return list(packages())


@pytest.mark.parametrize("package", surface_cases(), ids=lambda package: package.__name__)
def test_package_all_is_exactly_what_it_exports(package: ModuleType) -> None:
    if package.__name__ in NO_SURFACE:
        assert not hasattr(package, "__all__") or package.__all__ == []
        return
    assert hasattr(package, "__all__"), f"{package.__name__} names no public surface"
    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert missing == []
    assert len(set(package.__all__)) == len(package.__all__)
    assert unlisted_exports(package) == set()


# Names every package of a kind has, each its own: a router per group of routes, a `main`
# per benchmark run as `python -m`.
CONVENTIONAL = {"router", "main"}


def contains(outer: str, inner: str) -> bool:
    return inner.startswith(outer + ".")


def test_each_exported_name_has_one_home() -> None:
    """A name in two packages' `__all__` is one thing exported twice or two things under one
    name; a parent package passing on its subpackage's name is neither."""
    homes: dict[str, list[str]] = {}
    for package in packages():
        for name in getattr(package, "__all__", ()):
            homes.setdefault(name, []).append(package.__name__)
    shared = {
        name: found
        for name, found in homes.items()
        if name not in CONVENTIONAL
        and any(not contains(a, b) and not contains(b, a) for a in found for b in found if a != b)
    }
    assert shared == {}


def locked_versions() -> dict[str, Version]:
    """Name → version of each pin in requirements.lock (the lines `name==version \\`)."""
    pins = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", (REPO / "requirements.lock").read_text(), re.M)
    return {canonicalize_name(name): Version(version) for name, version in pins}


def declared() -> list[Requirement]:
    """The project's dependencies and its locked extras' (the harvesters have a venv of
    their own: scripts/setup-harvest)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    lines = [*project["dependencies"], *extras["dev"], *extras["analytics"]]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize("requirement", declared(), ids=str)
def test_lock_pins_each_declared_dependency_within_its_bounds(requirement: Requirement) -> None:
    """scripts/setup installs the project with --no-deps: a dependency missing from the lock
    would be missing from .venv. Regenerate the lock as scripts/setup says."""
    version = locked_versions().get(canonicalize_name(requirement.name))
    assert version is not None, f"{requirement.name} is not in requirements.lock"
    assert requirement.specifier.contains(version, prereleases=True)


def test_a_test_without_state_keeps_its_private_state_out_of_the_checkout(
    private_state: Path, tmp_path: Path
) -> None:
    # Settings.state defaults to the relative state/; tests/conftest.py points every test
    # at a temp folder instead, so an audit log written by a test lands there.
    settings = Settings(store=tmp_path / "store")
    assert settings.state == private_state
    path = database_url(settings.database).path
    assert path is not None and not path.is_relative_to(REPO)
    state = open_state(settings.database)
    state.audit.record(token="t", action="package_create", outcome="ok")
    state.close()
    assert (private_state / "opendata.sqlite").is_file()


# A dotted name of ours in prose: `catalog.store.Package`, not a path (`catalog/store`), a
# URL (`data.api.example`) or a file (`validation.json`, which the suffix check lets pass).
DOTTED = re.compile(rf"(?<![\w./-])(?:{'|'.join(ROOTS)})(?:\.[A-Za-z_]\w*)+")
FILE_SUFFIXES = {"json", "md", "html", "csv", "py", "log", "yaml", "txt", "xlsx", "parquet"}


def prose_of(path: Path) -> Iterator[str]:
    """The comments and docstrings of a Python file; all of any other file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        yield text
        return
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            yield token.string
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            yield ast.get_docstring(node, clean=False) or ""


def documented_files() -> list[Path]:
    roots = (*ROOTS, "tests", "scripts")
    code = [path for root in roots for path in sorted((REPO / root).rglob("*.py"))]
    shell = [path for path in sorted((REPO / "scripts").iterdir()) if not path.suffix]
    return [*code, *shell, REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def module_of(parts: list[str]) -> tuple[ModuleType, list[str]] | None:
    """The longest leading module of a dotted name, and the attribute names after it."""
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # a name below a module that is not a package
            continue
        if spec is not None:
            return importlib.import_module(name), parts[end:]
    return None


def names_a_thing(dotted: str) -> bool:
    found = module_of(dotted.split("."))
    if found is None:
        return False
    value: object = found[0]
    for attribute in found[1]:
        # A pydantic field or a TypedDict key is declared, not a class attribute.
        declared = {**getattr(value, "__annotations__", {}), **getattr(value, "model_fields", {})}
        if not hasattr(value, attribute):
            return isinstance(value, type) and attribute in declared
        value = getattr(value, attribute)
    return True


def test_every_dotted_module_name_in_the_prose_is_real() -> None:
    stale = [
        f"{path.relative_to(REPO)}: {dotted}"
        for path in documented_files()
        for text in prose_of(path)
        for dotted in DOTTED.findall(text)
        if dotted.rsplit(".", 1)[1] not in FILE_SUFFIXES and not names_a_thing(dotted)
    ]
    assert stale == []


def public_home(module: str, name: str) -> str:
    """The outermost package that exports `name` of `module` as the same object, else `module`."""
    parts = module.split(".")
    value = getattr(importlib.import_module(module), name, None)
    for end in range(1, len(parts)):
        package = importlib.import_module(".".join(parts[:end]))
        if name in getattr(package, "__all__", ()) and getattr(package, name) is value:
            return package.__name__
    return module


def test_tests_import_the_public_surface_where_there_is_one() -> None:
    # A test that imports `catalog.store.publish.Publisher` would pass while the package's
    # surface lost the name; only what a package does not export is taken from its module.
    private = [
        f"{path.relative_to(REPO)}:{node.lineno}: from {node.module} import {alias.name}"
        for path in sorted((REPO / "tests").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ROOTS
        for alias in node.names
        if public_home(node.module or "", alias.name) != node.module
    ]
    assert private == []


# The sizes a reader can hold in mind: a module to read in one sitting, a package whose
# modules fit on one screen. A module that outgrows them is split by purpose, not trimmed.
MAX_MODULE_LINES = 400
MAX_MODULES_PER_PACKAGE = 12


def test_no_module_is_longer_than_a_reader_holds() -> None:
    long = {
        str(path.relative_to(REPO)): lines
        for root in ROOTS
        for path in (REPO / root).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_package_has_more_modules_than_fit_on_a_screen() -> None:
    crowded = {
        str(folder.relative_to(REPO)): count
        for root in ROOTS
        for folder in [REPO / root, *(REPO / root).rglob("*")]
        if folder.is_dir() and (folder / "__init__.py").is_file()
        if (count := len([m for m in folder.glob("*.py") if m.name != "__init__.py"]))
        > MAX_MODULES_PER_PACKAGE
    }
    assert crowded == {}
