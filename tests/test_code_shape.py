"""The code's shape, as docs/ARCHITECTURE.md draws it: configuration travels as values (only the
`warehouse` command reads the environment, and nothing writes it but the writer lock's token for
dbt), and the library does not depend on Dagster."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CODE = sorted((REPO / "orchestration").rglob("*.py")) + sorted(
    (REPO / "expectations").rglob("*.py")
)
LIB = sorted((REPO / "orchestration" / "lib").rglob("*.py"))


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _environ_uses(tree: ast.AST) -> tuple[list[int], list[int]]:
    """Lines reading and lines writing os.environ (or calling os.putenv / os.unsetenv)."""
    reads, writes = [], []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            if any(isinstance(t, ast.Subscript) and _is_environ(t.value) for t in targets):
                writes.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner, name = node.func.value, node.func.attr
            if _is_environ(owner) and name in {"pop", "setdefault", "update", "clear", "popitem"}:
                writes.append(node.lineno)
            elif name in {"putenv", "unsetenv"}:
                writes.append(node.lineno)
        if _is_environ(node) or (isinstance(node, ast.Attribute) and node.attr == "getenv"):
            reads.append(node.lineno)
    return reads, writes


def _token_lines(text: str) -> set[int]:
    """Lines handing the writer lock's token to a dbt process (lib/lock.py WRITER_TOKEN_ENV): not
    configuration but a capability passed to a child, and dagster-dbt gives dbt only os.environ."""
    return {n for n, line in enumerate(text.splitlines(), 1) if "WRITER_TOKEN_ENV" in line}


def test_nothing_writes_the_environment_and_only_the_cli_reads_it():
    readers = {}
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        reads, writes = (
            [n for n in found if n not in _token_lines(text)]
            for found in _environ_uses(ast.parse(text))
        )
        assert not writes, f"{path.relative_to(REPO)}:{writes[0]} writes the environment"
        if reads:
            readers[path.relative_to(REPO).as_posix()] = reads
    assert set(readers) == {"orchestration/cli.py"}, readers


def test_the_scan_sees_a_write_and_a_read():
    reads, writes = _environ_uses(ast.parse("import os\nos.environ['X'] = '1'\nos.getenv('Y')\n"))
    assert writes == [2] and reads


def test_the_library_imports_no_dagster():
    for path in LIB:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.split(".")[0].startswith("dagster"), (
                    f"{path.relative_to(REPO)} imports {name}"
                )
                assert not name.startswith("orchestration.defs"), (
                    f"{path.relative_to(REPO)} imports {name}"
                )
