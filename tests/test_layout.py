"""The package's shape (docs/architecture.md): arrows point down, the pure layers stay pure."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sparkops"
PURE = ("sparkops.core", "sparkops.text", "sparkops.ops", "sparkops.formats", "sparkops.llm", "sparkops.native")  # no pyspark, anywhere in them


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(path: Path, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_pure_layers_never_import_pyspark():
    for name, path in _modules().items():
        if name.startswith(PURE):
            spark = sorted(i for i in _imports(path, top_level_only=False) if i.split(".")[0] == "pyspark")
            assert not spark, f"{name} imports {spark}"


def test_no_import_cycles_between_modules():
    """Module-level imports of sparkops modules form no cycle (lazy imports inside functions are
    how an upper layer is reached at run time, e.g. the catalogue finding the families)."""
    modules = _modules()
    graph = {name: {i for i in _imports(path, top_level_only=True) if i in modules and i != name}
             for name, path in modules.items()}
    # importing a.b runs a's __init__ first: that edge is implied, not a cycle of the code's making
    for name in graph:
        graph[name] = {dep for dep in graph[name] if not name.startswith(dep + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(dep):] + [dep]))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_families_are_discovered_and_declare_their_ops():
    from sparkops.core import all_ops
    from sparkops.ops import families

    names = families()
    assert {"cleaning", "dedup", "language", "quality", "rules"} <= set(names)
    # every declared op names its family, and that family is a sub-package of sparkops.ops
    assert {op.family for op in all_ops()} <= set(names)


def test_each_deduplicator_has_its_pure_and_spark_halves_under_one_file_name():
    from sparkops.core import all_ops

    for op in all_ops():
        if op.kind == "deduplicator":
            module = op.frame.partition(":")[0]
            assert module.startswith("sparkops.spark.dedup."), op.frame
            half = module.rsplit(".", 1)[1]
            assert (PACKAGE / "ops" / "dedup" / f"{half}.py").is_file(), f"{op.name}: no ops/dedup/{half}.py"
