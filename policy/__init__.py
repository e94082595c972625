"""Subsidia's Python API: which public-funding programmes a company can get, for how much,
and why (not).

    import policy
    report = policy.check("examples/profiles/flemish_growth.yaml")
    print(report.as_text())

The names below load on first use (PEP 562): `import policy` itself imports neither the
rule engine nor clingo, rich or PyYAML. They are defined in policy/api.py (functions) and
policy/reports.py (report types); the command line calls nothing else.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "BudgetReport",
    "CatalogueReport",
    "CheckReport",
    "ExplainReport",
    "InputError",
    "PlanReport",
    "QuizReport",
    "budget",
    "check",
    "check_many",
    "compare",
    "explain",
    "import_cbe",
    "load_profile",
    "load_scenario",
    "plan",
    "programme",
    "programmes",
    "quiz",
    "screen",
    "screened_profile",
]

_HOME = {
    "budget": "policy.api",
    "check": "policy.api",
    "check_many": "policy.api",
    "explain": "policy.api",
    "import_cbe": "policy.api",
    "load_profile": "policy.api",
    "load_scenario": "policy.api",
    "plan": "policy.api",
    "programme": "policy.api",
    "programmes": "policy.api",
    "compare": "policy.api",
    "quiz": "policy.api",
    "QuizReport": "policy.reports",
    "screen": "policy.api",
    "screened_profile": "policy.api",
    "CatalogueReport": "policy.reports",
    "BudgetReport": "policy.reports",
    "CheckReport": "policy.reports",
    "ExplainReport": "policy.reports",
    "PlanReport": "policy.reports",
    "InputError": "policy.errors",
}

if TYPE_CHECKING:
    from policy.api import (
        budget,
        check,
        check_many,
        compare,
        explain,
        import_cbe,
        load_profile,
        load_scenario,
        plan,
        programme,
        programmes,
        quiz,
        screen,
        screened_profile,
    )
    from policy.errors import InputError
    from policy.reports import (
        BudgetReport,
        CatalogueReport,
        CheckReport,
        ExplainReport,
        PlanReport,
        QuizReport,
    )


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        # Submodules (`policy.engine`, …) are not attributes until imported; an
        # AttributeError lets `from policy import engine` import them as usual.
        raise AttributeError(f"module 'policy' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next access skips this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
