"""Each operation is one step (residency/terraform/steps/), registered once in operations.py: no step asks
which operation it runs for, and every operation has a step."""

import ast
from pathlib import Path

import pytest

from residency.terraform.operations import STEPS, WITH_REVIEWED_PLANS, Operation, OperationRunner
from residency.terraform.reviewed_plans import ReviewedPlans
from residency.terraform.steps.apply import Apply
from residency.terraform.steps.apply_reviewed import ApplyReviewed
from residency.terraform.steps.plan import Plan
from residency.terraform.steps.step import Step
from tests.conftest import REPO
from tests.terraform.recording import Recorder

STEPS_DIRECTORY = REPO / "residency" / "terraform" / "steps"


def _names_an_operation(node: ast.expr) -> bool:
    """`Operation.APPLY`, `operation` or `self.operation`."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Operation":
        return True
    return (isinstance(node, ast.Name) and node.id == "operation") or \
        (isinstance(node, ast.Attribute) and node.attr == "operation")


def operation_branches(source: str, filename: str) -> list[str]:
    """Where the source compares (or matches) an operation against an Operation member."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Compare) and any(map(_names_an_operation, [node.left, *node.comparators])):
            found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Match) and _names_an_operation(node.subject):
            found.append(f"{filename}:{node.lineno}: match {ast.unparse(node.subject)}")
        elif isinstance(node, ast.MatchValue) and _names_an_operation(node.value):
            found.append(f"{filename}:{node.lineno}: case {ast.unparse(node.value)}")
    return found


def test_no_step_branches_on_the_operation():
    modules = sorted(STEPS_DIRECTORY.glob("*.py"))
    assert len(modules) > 5
    found = [branch for path in modules
             for branch in operation_branches(path.read_text(), str(path.relative_to(REPO)))]
    assert found == [], "a step is chosen by the registry in operations.py, never by asking the operation"


@pytest.mark.parametrize("source", [
    "if operation is Operation.APPLY:\n    pass\n",
    "x = Operation.PLAN == self.operation\n",
    "y = operation in (Operation.PLAN, Operation.DRIFT)\n",
    "match operation:\n    case Operation.DESTROY:\n        pass\n",
])
def test_the_scan_finds_a_branch_on_the_operation(source):
    assert operation_branches(source, "probe.py")


def test_every_operation_has_a_registered_step():
    assert set(STEPS) == set(Operation)
    assert set(WITH_REVIEWED_PLANS) <= set(Operation)
    assert all(isinstance(factory, type) and issubclass(factory, Step)
               for factory in [*STEPS.values(), *WITH_REVIEWED_PLANS.values()])


def _runner(reviewed: ReviewedPlans | None) -> OperationRunner:
    # Choosing a step runs nothing: no Terraform is needed.
    return OperationRunner(None, {}, Recorder(), reviewed=reviewed)  # type: ignore[arg-type]


def test_reviewed_plans_choose_their_variant_and_only_where_one_is_registered(tmp_path: Path):
    reviewed = ReviewedPlans(tmp_path, residency_version="test", terraform_version="test", commit=None, created="",
                             workspaces={})
    assert type(_runner(None).step_for(Operation.APPLY)) is Apply
    assert type(_runner(reviewed).step_for(Operation.APPLY)) is ApplyReviewed
    assert type(_runner(reviewed).step_for(Operation.PLAN)) is Plan
