"""A small mutation tester: does a test fail when one operator, constant or argument of a module changes?

    python -m tests.mutation campaigns/outbox/lifecycle.py --nomigrations tests/campaigns/test_outbox_lifecycle.py
    python -m tests.mutation MODULE [pytest options] TESTS… [--then MORE_TESTS…]   (the score without and with them)

Each mutant is one change of the module's syntax tree (mutmut's operators: comparisons and boolean operators
swapped, numbers moved by one, strings and booleans changed, `not` dropped, a call's keyword argument dropped, a
returned or assigned value replaced by None) and one more: a statement that only calls something (an update, a
refresh, an enqueue) dropped. Every mutant runs the given tests in a fresh fork of a process that has imported no
module of the project, because some rules are built when a module is imported. A mutant is *killed* when a test
fails (or the run times out). The module is restored afterwards, whatever happens; run it in a checkout nobody else
is using. Docstrings and annotations are left alone: changing them changes no behaviour.
"""

import argparse
import ast
import copy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_SWAPPED_COMPARISONS = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_SWAPPED_OPERATORS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
    ast.Mod: ast.Add,
}


@dataclass(frozen=True)
class Mutant:
    line: int
    change: str
    source: str


def _docstring_and_annotation_ids(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                skipped.add(id(body[0].value))
        annotations = []
        if isinstance(node, ast.arg | ast.AnnAssign):
            annotations.append(node.annotation)
        if isinstance(node, ast.FunctionDef):
            annotations.append(node.returns)
        for annotation in filter(None, annotations):
            skipped.update(id(inner) for inner in ast.walk(annotation))
    return skipped


def _changes(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None] | str]]:
    """Each way to mutate `node` in place: (what changes, a function that applies it to a copy of the node)."""
    if isinstance(node, ast.Compare):
        for index, operator in enumerate(node.ops):
            swapped = _SWAPPED_COMPARISONS.get(type(operator))
            if swapped:

                def apply(copied, index=index, swapped=swapped):
                    copied.ops[index] = swapped()

                yield f"{type(operator).__name__} -> {swapped.__name__}", apply
    elif isinstance(node, ast.BoolOp):
        swapped = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield f"{type(node.op).__name__} -> {swapped.__name__}", lambda copied: setattr(copied, "op", swapped())
    elif isinstance(node, ast.BinOp) and type(node.op) in _SWAPPED_OPERATORS:
        swapped = _SWAPPED_OPERATORS[type(node.op)]
        yield f"{type(node.op).__name__} -> {swapped.__name__}", lambda copied: setattr(copied, "op", swapped())
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not dropped", "drop the not"
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield f"{value} -> {not value}", lambda copied: setattr(copied, "value", not value)
        elif isinstance(value, int | float):
            yield f"{value} -> {value + 1}", lambda copied: setattr(copied, "value", value + 1)
        elif isinstance(value, str):
            yield f"{value[:30]!r} -> 'XX…XX'", lambda copied: setattr(copied, "value", f"XX{value}XX")
    elif isinstance(node, ast.Call):
        for index, keyword in enumerate(node.keywords):
            if keyword.arg is None:
                continue

            def drop(copied, index=index):
                del copied.keywords[index]

            yield f"keyword {keyword.arg}= dropped", drop
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return None", lambda copied: setattr(copied, "value", ast.Constant(None))
    elif isinstance(node, ast.Assign) and not (isinstance(node.value, ast.Constant) and node.value.value is None):
        yield "assigned value -> None", lambda copied: setattr(copied, "value", ast.Constant(None))
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        yield "call statement dropped", "drop the statement"


def mutants(source: str) -> Iterator[Mutant]:
    tree = ast.parse(source)
    skipped = _docstring_and_annotation_ids(tree)
    targets = [node for node in ast.walk(tree) if id(node) not in skipped]
    for position, node in enumerate(targets):
        for change, apply in _changes(node):
            mutated = copy.deepcopy(tree)
            skipped_in_copy = _docstring_and_annotation_ids(mutated)
            # ast.walk visits a deep copy in the same order, so the n-th node is the same node.
            target = [candidate for candidate in ast.walk(mutated) if id(candidate) not in skipped_in_copy][position]
            if apply == "drop the not":
                _replace(mutated, target, target.operand)
            elif apply == "drop the statement":
                _replace(mutated, target, ast.Pass())
            else:
                apply(target)
            yield Mutant(getattr(node, "lineno", 0), change, ast.unparse(ast.fix_missing_locations(mutated)))


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list) and old in value:
                value[value.index(old)] = new


# Libraries that take most of a test run's start and import nothing of the project (pytest plugins, factories,
# charts, PDF, database and broker clients): loaded once in the tester, so each mutant's run forks from a warm
# process instead of starting cold (about 20 s less per mutant on a busy machine). Django and the apps built on
# it are left out: they read the settings, and the apps import the mutated module.
_WARM = (
    "pytest", "hypothesis", "faker", "schemathesis", "factory", "time_machine", "pytest_django", "anyio",
    "matplotlib", "mpl_toolkits", "numpy", "pygments", "psycopg", "redis", "holidays", "celery", "kombu", "amqp",
    "billiard", "pyparsing", "dns", "cryptography", "icalendar", "PIL", "urllib3", "requests", "jinja2", "yaml",
    "fontTools", "joserfc", "authlib", "qrcode", "dateutil", "sqlparse", "cron_descriptor", "uritemplate",
    "charset_normalizer",
)  # fmt: skip
_LIST_MODULES = (
    "import sys, django; django.setup(); import comarketing.urls, tests.conftest; print(*sorted(sys.modules))"
)


def _warm_up() -> None:
    """Import every module of the _WARM libraries that the project's start imports (asked of a child process)."""
    import importlib

    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comarketing.settings_test")
    listed = subprocess.run([sys.executable, "-c", _LIST_MODULES], capture_output=True, text=True).stdout.split()
    for name in [*_WARM, *listed]:
        if name.split(".")[0] in _WARM:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - an optional part of a library: the run imports it if it needs it
                pass


def run_tests(tests: list[str], timeout: int, log: Path | None = None) -> bool:
    """True when the tests pass (the mutant survives). The run is a fork of this process, which has imported no
    module of the project, so the project (and the rules built at import) is loaded afresh from the mutated file;
    no bytecode is written, so no mutant is ever read from a stale .pyc."""
    arguments = ["-x", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", *tests]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 3
        try:
            sys.dont_write_bytecode = True
            output = os.open(log or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(output, 1)
            os.dup2(output, 2)
            import pytest

            code = int(pytest.main(arguments))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            return os.waitstatus_to_exitcode(status) == 0
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return False
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", type=Path)
    parser.add_argument("tests", nargs="+")
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("--log", type=Path, help="where each run's pytest output goes (the last one stays)")
    parser.add_argument(
        "--then",
        action="extend",
        nargs="+",
        default=[],
        metavar="TEST",
        help="more tests, run only on the survivors of TESTS: one pass gives the score before and after adding them",
    )
    # Options the tester does not know (--nomigrations, -k …) go to pytest.
    arguments, pytest_options = parser.parse_known_args()
    first = [*pytest_options, *arguments.tests]
    then = [*pytest_options, *arguments.then] if arguments.then else []
    original = arguments.module.read_text()
    _warm_up()
    for selection in filter(None, (first, then)):
        if not run_tests(selection, arguments.timeout, log=arguments.log):
            print(f"The tests fail on the unmutated module: nothing to measure ({' '.join(selection)}).")
            return 2
    survivors, survivors_then, total, started = [], [], 0, time.monotonic()
    try:
        for mutant in mutants(original):
            total += 1
            arguments.module.write_text(mutant.source)
            if run_tests(first, arguments.timeout, log=arguments.log):
                survivors.append(mutant)
                if then and not run_tests(then, arguments.timeout, log=arguments.log):
                    print(f"killed by --then  line {mutant.line}: {mutant.change}", flush=True)
                    continue
                survivors_then.append(mutant)
                print(f"survived  line {mutant.line}: {mutant.change}", flush=True)
    finally:
        arguments.module.write_text(original)
    for label, left in (("", survivors), (" with --then", survivors_then) if then else ("", None)):
        if left is None:
            continue
        killed = total - len(left)
        print(f"{arguments.module}{label}: {killed} of {total} mutants killed ({100 * killed / max(total, 1):.1f} %)")
    print(f"in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
