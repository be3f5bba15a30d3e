"""The layers of functions/, as rules read from the code's own imports (every import, at module
level or inside a function): the core imports only the core; ports only the core; adapters never
a job, the wiring or an entry point; jobs never an adapter, the wiring or an entry point; and no
two modules import each other, however long the loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT

LAYERS = {  # the first prefix that matches names a module's layer
    "functions.core": "core",
    "functions.ports": "ports",
    "functions.retry": "tools",
    # The demo's phone channels, wired to their stand-ins: an entry point's work, kept beside the
    # channels because it names them (nothing in the adapters imports it).
    "functions.adapters.channels.stand_ins": "entrypoints",
    "functions.adapters": "adapters",
    "functions.delivery": "jobs",
    "functions.compose": "jobs",
    "functions.fanout": "jobs",
    "functions.sendbatch": "jobs",
    "functions.digest": "jobs",
    "functions.history": "jobs",
    "functions.message_texts": "jobs",
    "functions.followup": "jobs",
    "functions.escalate": "jobs",
    "functions.survey": "jobs",
    "functions.health": "jobs",
    "functions.bootstrap": "wiring",
    "functions.settings": "wiring",
    "functions.entrypoints": "entrypoints",
    "functions.standins": "standins",
    "main": "entrypoints",
}
MAY_IMPORT = {  # layer → the layers its modules may import
    "core": {"core"},
    "tools": set(),
    "ports": {"core"},
    "adapters": {"core", "ports", "tools", "adapters"},
    "jobs": {"core", "ports", "tools", "jobs"},
    "wiring": {"core", "ports", "tools", "adapters", "jobs", "wiring"},
    "entrypoints": {"core", "ports", "tools", "adapters", "jobs", "wiring", "entrypoints", "standins"},
    "standins": {"standins"},  # the demo's local providers: they know HTTP, not careloop
}


def layer(module: str) -> str | None:
    return next((name for prefix, name in LAYERS.items() if module == prefix or module.startswith(prefix + ".")), None)


def modules(root: Path) -> dict[str, Path]:
    """Module name → file, for functions/ and main.py under `root`."""
    found = {"main": root / "main.py"} if (root / "main.py").exists() else {}
    for path in sorted((root / "functions").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(module: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """The project modules `module` imports, with the line of each import."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from functions.escalate import writeback` imports the module functions.escalate.writeback
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import functions.core.text as t` and the like
                target = target.rpartition(".")[0]
            if target and target != module:
                yield target, node.lineno


def violations(root: Path) -> list[str]:
    """Every import that breaks a layer rule, and every import loop, in words."""
    found = modules(root)
    graph: dict[str, set[str]] = {m: set() for m in found}
    problems = []
    for module, path in found.items():
        for target, line in imports(module, path, set(found)):
            graph[module].add(target)
            mine, theirs = layer(module), layer(target)
            if mine is None or theirs is None:
                problems.append(f"{path.relative_to(root)}:{line}: {module} or {target} is in no layer")
            elif theirs not in MAY_IMPORT[mine]:
                problems.append(f"{path.relative_to(root)}:{line}: {mine} module {module} imports {theirs} {target}")
    problems += [f"import loop: {' → '.join(loop)}" for loop in loops(graph)]
    return problems


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """One loop per strongly connected group of modules (Tarjan), each told as a path back to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_path_back(graph, group) for group in groups]


def _path_back(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    start, members = group[0], set(group)
    path, seen = [start], {start}
    while True:
        following = sorted(graph[path[-1]] & members)
        if start in following and len(path) > 1:
            return path + [start]
        step = next((n for n in following if n not in seen), start)
        if step == start:
            return path + [start]
        path.append(step)
        seen.add(step)


def test_the_code_keeps_its_layers_and_has_no_import_loop():
    assert violations(ROOT) == []


def test_every_module_is_in_a_layer():
    assert [m for m in modules(ROOT) if m != "functions" and layer(m) is None] == []


PLANTED = {
    "core imports an adapter": (
        "functions/core/text.py",
        "from functions.adapters.sheets.a1 import quoted",
        "core module functions.core.text imports adapters functions.adapters.sheets.a1",
    ),
    "an adapter imports a job": (
        "functions/adapters/channels/outbox.py",
        "def later():\n    from functions.followup.job import run_followup",
        "adapters module functions.adapters.channels.outbox imports jobs functions.followup.job",
    ),
    "a job imports an entry point": (
        "functions/escalate/plan.py",
        "from functions.entrypoints.cli.reports import summary",
        "jobs module functions.escalate.plan imports entrypoints functions.entrypoints.cli.reports",
    ),
    "a job imports an adapter": (
        "functions/survey/offers.py",
        "from functions.adapters.templates import Templates",
        "jobs module functions.survey.offers imports adapters functions.adapters.templates",
    ),
    "a loop through a function-level import": (
        "functions/core/ids.py",
        "def later():\n    from functions.core import customers",
        "functions.core.ids → functions.core.customers",  # in whichever loop it closes
    ),
}


@pytest.mark.parametrize("planted", PLANTED.values(), ids=list(PLANTED))
def test_a_planted_bad_import_is_caught(tmp_path, planted):
    file, line, expected = planted
    for path in [ROOT / "main.py", *(ROOT / "functions").rglob("*.py")]:
        copy = tmp_path / path.relative_to(ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / file
    target.write_text(target.read_text(encoding="utf-8") + "\n\n" + line + "\n", encoding="utf-8")
    found = violations(tmp_path)
    assert any(expected in problem for problem in found), found


def test_every_port_is_small():
    """Issue 22: one Protocol per outside service or kind of record, at most 15 methods each; `Store`
    only hands out the record ports (one property each) and has no method of its own."""
    import inspect
    from typing import Protocol

    from functions import ports

    def is_port(kind: object) -> bool:
        return inspect.isclass(kind) and Protocol in kind.__mro__ and kind.__module__ == ports.__name__

    protocols = {name: kind for name, kind in vars(ports).items() if is_port(kind)}
    own = {name: [m for m in vars(kind) if not m.startswith("_") and callable(vars(kind)[m])]
           for name, kind in protocols.items()}  # fmt: skip
    assert own["Store"] == [] and {"Ledger", "Cases", "Surveys", "Vouchers", "JobState"} <= own.keys()
    assert max(len(methods) for methods in own.values()) <= 15, {n: len(m) for n, m in own.items()}
    handed_out = {name for name, value in vars(ports.Store).items() if isinstance(value, property)}
    assert handed_out == set(RECORD_PORTS)


RECORD_PORTS = {  # the Store's property → the port it hands out
    "ledger": "Ledger",
    "delivery_reports": "DeliveryReports",
    "inbound_events": "InboundEvents",
    "replies": "Replies",
    "customer_data": "CustomerData",
    "retention": "Retention",
    "opt_outs": "OptOuts",
    "cases": "Cases",
    "surveys": "Surveys",
    "vouchers": "Vouchers",
    "credentials": "Credentials",
    "job_state": "JobState",
}


def _jobs_and_their_port_imports() -> Iterator[tuple[str, ast.Module, set[str]]]:
    """Each module below the wiring, its tree, and the record ports it imports from functions.ports."""
    root = ROOT / "functions"
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] in ("adapters", "entrypoints", "standins", "ports.py", "bootstrap"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    and node.module == "functions.ports" for alias in node.names}  # fmt: skip
        yield str(path.relative_to(ROOT)), tree, imported


def _declared_ports(tree: ast.Module) -> set[str]:
    """The record ports a module declares it uses: its records' fields (`ledger: Ledger`) and the
    parameters of its functions (`def load(job_state: JobState)`), each under the port's own name."""
    declared = set()
    for node in ast.walk(tree):
        pairs: list[tuple[str, ast.expr | None]] = []
        if isinstance(node, ast.ClassDef):
            pairs = [(s.target.id, s.annotation) for s in node.body
                     if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]  # fmt: skip
        elif isinstance(node, ast.FunctionDef):
            pairs = [(a.arg, a.annotation) for a in node.args.args + node.args.kwonlyargs]
        for name, annotation in pairs:
            if isinstance(annotation, ast.Name) and RECORD_PORTS.get(name) == annotation.id:
                declared.add(annotation.id)
    return declared


def test_jobs_ask_for_the_ports_they_use_never_the_whole_store():
    """Issue 22: a job's records (`FollowupRecords`, …) and functions name each port they touch,
    under the port's own name; a job imports only the ports it so declares, never `Store`. Bootstrap
    hands each job just those ports (`ports_for`)."""
    offenders = []
    for name, tree, imported in _jobs_and_their_port_imports():
        if "Store" in imported:
            offenders.append(f"{name}: imports Store")
        undeclared = (imported & set(RECORD_PORTS.values())) - _declared_ports(tree)
        offenders += [f"{name}: imports {port} without naming it in its records or parameters" for port in undeclared]
    assert offenders == []


def test_each_job_is_handed_only_the_ports_its_records_name():
    from functions.bootstrap import ports_for
    from functions.digest.job import DigestRecords
    from functions.escalate.deps import EscalationRecords
    from functions.followup.deps import FollowupRecords
    from functions.sendbatch.job import SendBatchRecords
    from tests.helpers.memory_store import MemoryStore

    store = MemoryStore()
    for records in (FollowupRecords, EscalationRecords, DigestRecords, SendBatchRecords):
        handed = vars(ports_for(records, store))
        assert set(handed) <= set(RECORD_PORTS) and "credentials" not in handed  # tokens are the Zalo adapter's
        assert all(port is getattr(store, name) for name, port in handed.items())
