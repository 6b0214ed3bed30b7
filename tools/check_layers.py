"""Check that every import in src/bmzcard runs down the layer order of the developers' guide.

Reads each module's syntax tree, so imports inside functions count as much as
those at the top, and so do ``importlib.import_module("bmzcard...")`` calls
with a literal name. A module may import its own layer or lower ones; a
producer may not import another producer. Prints one line per violation and
exits 1 when there is any; run by tests/test_layers.py.

    python tools/check_layers.py [SRC_ROOT]
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "bmzcard"

#: Layer of each top-level module or package of bmzcard, lowest first
#: (the developers' guide, "Layer order"). Modules that do not exist
#: yet have their place already, so that adding them is a matter of writing them.
LAYERS: dict[str, int] = {
    # 1 ground: no knowledge of packages or cards beyond the template
    "errors": 1, "facts": 1, "template": 1, "metrics": 1, "carbon": 1, "units": 1, "version": 1,
    "example": 1,  # the bundled example package and data: files, no code that reads them
    # 2 sources: package, RDF, card and sidecar reading, records, hub-card reading
    "sources": 2,
    # 3 the card: layout, placeholders, fill
    "card": 3,
    # 4 producers: return facts and records, write nothing
    "generate": 4, "evaluate": 4, "measure": 4, "track": 4,
    # 5 the output stage: every file bmzcard writes
    "outputs": 5, "html": 5,
    # 6 the linter: reads cards and facts; verify re-runs evaluate; --fix writes through outputs
    "lint": 6,
    # 7 workflows: compose lint and outputs
    "diff": 7, "edit": 7, "publish": 7,
    # 8 the public Python API and the command line on top
    "__init__": 8, "api": 8, "demo": 8, "cli": 8, "__main__": 8,
}
LAYER_NAMES = {1: "ground", 2: "sources", 3: "card", 4: "producers", 5: "outputs", 6: "lint", 7: "workflows",
               8: "api/cli"}
PRODUCERS = {name for name, layer in LAYERS.items() if layer == 4}


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    importer: str
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} imports {self.imported}: {self.why}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def top_level(module: str) -> str:
    """The layer table's key of a bmzcard module: its first component below the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(tree: ast.Module, module: str, is_package: bool, root: Path) -> list[tuple[int, str]]:
    """(line, module) of every bmzcard module the tree imports, wherever the import statement is."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:  # `from bmzcard.x import y` imports bmzcard.x.y when y is a module
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if _exists(candidate, root) else base))
        elif (isinstance(node, ast.Call) and _is_import_call(node.func) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return [(line, name) for line, name in found if name == PACKAGE or name.startswith(PACKAGE + ".")]


def _is_import_call(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in ("import_module", "__import__")


def _exists(module: str, root: Path) -> bool:
    path = root.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def check(root: Path) -> tuple[list[Violation], int]:
    """Violations under ``root`` (the folder holding the bmzcard package) and the number of imports read."""
    violations, count = [], 0
    for path in sorted((root / PACKAGE).rglob("*.py")):
        module = module_name(path, root)
        own = top_level(module)
        if own not in LAYERS:
            violations.append(Violation(path, 1, module, "-", f"{own!r} has no layer in tools/check_layers.py"))
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, imported in imported_modules(tree, module, path.name == "__init__.py", root):
            count += 1
            target = top_level(imported)
            if target == own:
                continue
            if target not in LAYERS:
                violations.append(Violation(path, line, module, imported, f"{target!r} has no layer"))
            elif LAYERS[target] > LAYERS[own]:
                violations.append(Violation(path, line, module, imported,
                                            f"{LAYER_NAMES[LAYERS[own]]} may not import {LAYER_NAMES[LAYERS[target]]}"))
            elif own in PRODUCERS and target in PRODUCERS:
                violations.append(Violation(path, line, module, imported, "no producer imports another producer"))
    return violations, count


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "src"
    violations, count = check(root)
    for violation in violations:
        print(violation)
    print(f"{count} imports read, {len(violations)} against the layer order")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
