"""A small mutation tester: does a test fail when one operator, constant or argument of a module changes?

    python -m tests.mutation campaigns/outbox/lifecycle.py tests/campaigns/test_outbox_lifecycle.py

Each mutant is one change of the module's syntax tree (mutmut's operators: comparisons and boolean operators
swapped, numbers moved by one, strings and booleans changed, `not` dropped, a call's keyword argument dropped,
a returned value replaced by None). Every mutant runs the given tests in a fresh process, because some rules are
built when a module is imported. A mutant is *killed* when a test fails (or the run times out). The module is
restored afterwards, whatever happens; run it in a checkout nobody else is using. Docstrings and annotations are
left alone: changing them changes no behaviour.
"""

import argparse
import ast
import copy
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


def run_tests(tests: list[str], timeout: int) -> bool:
    """True when the tests pass (the mutant survives)."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", *tests]
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", type=Path)
    parser.add_argument("tests", nargs="+")
    parser.add_argument("--timeout", type=int, default=300)
    # Options the tester does not know (--nomigrations, -k …) go to pytest.
    arguments, pytest_options = parser.parse_known_args()
    arguments.tests = [*pytest_options, *arguments.tests]
    original = arguments.module.read_text()
    if not run_tests(arguments.tests, arguments.timeout):
        print("The tests fail on the unmutated module: nothing to measure.")
        return 2
    survivors, total, started = [], 0, time.monotonic()
    try:
        for mutant in mutants(original):
            total += 1
            arguments.module.write_text(mutant.source)
            if run_tests(arguments.tests, arguments.timeout):
                survivors.append(mutant)
                print(f"survived  line {mutant.line}: {mutant.change}", flush=True)
    finally:
        arguments.module.write_text(original)
    killed = total - len(survivors)
    print(
        f"{arguments.module}: {killed} of {total} mutants killed ({100 * killed / max(total, 1):.1f} %) "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
