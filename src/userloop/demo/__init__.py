"""A seeded, synthetic product world ("Lumo" phones) for demos, tests and benchmarks."""

from userloop.demo.catalog import (
    FIXED_BUILD_INDEX,
    FIXED_PROBLEM,
    PROBLEMS,
    REGRESSION_BUILD_INDEX,
    REGRESSION_PROBLEM,
    ProblemSpec,
)
from userloop.demo.generator import (
    DemoBuild,
    DemoWorld,
    generate,
    iter_feedback_jsonl,
    iter_jsonl,
    write_jsonl,
)

__all__ = [
    "FIXED_BUILD_INDEX",
    "FIXED_PROBLEM",
    "PROBLEMS",
    "REGRESSION_BUILD_INDEX",
    "REGRESSION_PROBLEM",
    "DemoBuild",
    "DemoWorld",
    "ProblemSpec",
    "generate",
    "iter_feedback_jsonl",
    "iter_jsonl",
    "write_jsonl",
]
