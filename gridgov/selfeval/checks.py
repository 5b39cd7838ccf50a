"""Consistency checks of a self-evaluation: every problem a finance bureau would reject, with its place. Pure."""

from dataclasses import dataclass

from gridgov.selfeval.document import EvaluationData

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One problem: a stable code, how serious, where it is (table · row · column) and what is wrong."""

    code: str
    severity: str
    place: str
    message: str


def check(data: EvaluationData) -> list[Problem]:
    """Every problem of the evaluation and of its project evaluations, in table order."""
    problems: list[Problem] = []
    return problems
