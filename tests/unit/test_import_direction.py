"""The dependency rule of DESIGN.md: the domain imports only the standard library and itself;
adapters import the domain, never the applications."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_top_level_modules(package: str) -> dict[str, set[str]]:
    """Top-level module names imported by each file of a package (relative imports excluded)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    allowed = set(sys.stdlib_module_names) | {"domain", "__future__"}
    offenders = {
        file: sorted(names - allowed)
        for file, names in imported_top_level_modules("domain").items()
        if names - allowed
    }
    assert offenders == {}


@pytest.mark.parametrize("forbidden", ["applications"])
def test_adapters_never_import_applications(forbidden: str) -> None:
    offenders = [file for file, names in imported_top_level_modules("adapters").items() if forbidden in names]
    assert offenders == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """Guard against a checker that can never fail: a planted import is found."""
    source = "import lxml.etree\nfrom adapters.sql import table_store\n"
    tree = ast.parse(source)
    names = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert names - (set(sys.stdlib_module_names) | {"domain"}) == {"lxml", "adapters"}
