"""The facade's report types: an answer and the two ways it is printed.

Each report wraps what its feature computed and renders it through the output code of
that feature: `as_json()` is the document `subsidia … --json` prints (a Python object;
the command only dumps it), `as_text()` the table or tree it prints. The features'
modules are imported only under TYPE_CHECKING and inside the methods, so that
`policy.CheckReport` costs nothing until a report is printed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    from policy.engine import CheckReport as EngineReport
    from policy.engine import ProgrammeResult, SmeFigures
    from policy.funding.budget import Budget
    from policy.funding.explain import Explanation
    from policy.funding.quiz import QuizStep
    from policy.funding.stacking import Combination
    from policy.planner.consortium import PlanResult

# Width of text rendered for a pipe or a file rather than a terminal.
WIDTH = 80


def _render(parts: list[Any], width: int | None, colour: bool) -> str:
    """Rich renderables as text: `width` columns, ANSI colours only with `colour`."""
    from policy.output.console import console

    out = io.StringIO()
    console(
        file=out,
        width=width or WIDTH,
        soft_wrap=False,
        force_terminal=colour,
        color_system="standard" if colour else None,
    ).print(*parts, sep="\n")
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class CheckReport:
    """`policy.check`: every programme's answer for one profile, ranked in the outputs;
    with a project and the whole catalogue, the best combination (`stacking`)."""

    checked: EngineReport  # the engine's report: results in catalogue order, SME figures
    stacking: Combination | None = None
    lang: str = "en"

    @property
    def as_of(self) -> dt.date:
        return self.checked.as_of

    @property
    def sme(self) -> SmeFigures:
        return self.checked.sme

    @property
    def results(self) -> list[ProgrammeResult]:
        """Eligible first, then unknown, then ineligible; larger amounts first."""
        from policy.output.check_report import ranked

        return ranked(self.checked.results)

    def result(self, programme: str) -> ProgrammeResult:
        """The answer for one programme id."""
        for r in self.checked.results:
            if r.programme == programme:
                return r
        raise KeyError(programme)

    def as_json(self, full: bool = False) -> dict:
        """`check --json`; with `full`, `check --json --full` (every condition with its
        sources and every parameter version used; docs/json.md)."""
        from policy.output.check_report import compact_json, report_json

        data = (report_json if full else compact_json)(self.checked, self.lang)
        if self.stacking is not None:
            from policy.funding.stacking import plan_json

            data["stacking"] = plan_json(self.stacking)
        return data

    def renderables(self, lang: str | None = None, verbose: bool = False) -> list[Any]:
        """What `check` prints (rich renderables): the ranked table, what is unknown, and
        the combination under it when there is one; rule versions with `verbose`."""
        from policy.output.check_report import check_renderables

        lang = lang or self.lang
        parts = check_renderables(self.checked, lang, verbose)
        if self.stacking is not None:
            from policy.funding.stacking import plan_renderables

            parts.extend(plan_renderables(self.stacking, lang))
        return parts

    def as_text(
        self,
        width: int | None = None,
        lang: str | None = None,
        verbose: bool = False,
        *,
        colour: bool = False,
    ) -> str:
        """`renderables()` as text at `width` columns."""
        return _render(self.renderables(lang, verbose), width, colour)


@dataclass(frozen=True, slots=True)
class ExplainReport:
    """`policy.explain`: one programme's decision, its deciding conditions, the
    counterfactuals and the proof tree."""

    explanation: Explanation

    @property
    def status(self) -> str:
        return self.explanation.status

    @property
    def amount(self) -> str | None:
        return self.explanation.amount

    def as_json(self, tree: bool = False) -> dict:
        """`explain --json`; with `tree`, `explain --json --tree` (the proof tree too)."""
        from policy.funding.explain import explanation_json

        return explanation_json(self.explanation, tree)

    def as_text(self, width: int | None = None, tree: bool = False, *, colour: bool = False) -> str:
        """The summary; with `tree`, the proof tree after it."""

        return _render([self.renderable(tree)], width, colour)

    def renderable(self, tree: bool = False) -> Any:
        """The summary; with `tree`, the proof tree after it (a rich renderable)."""
        from policy.funding.explain import explanation_text

        return explanation_text(self.explanation, tree)


@dataclass(frozen=True, slots=True)
class BudgetReport:
    """`policy.budget`: a project's budget template for one programme."""

    budget: Budget
    lang: str = "en"

    def as_json(self) -> dict:
        """`budget --json`."""
        from policy.funding.budget import budget_json

        return budget_json(self.budget, self.lang)

    def as_text(
        self, width: int | None = None, lang: str | None = None, *, colour: bool = False
    ) -> str:
        return _render([self.renderable(lang)], width, colour)

    def renderable(self, lang: str | None = None) -> Any:
        from policy.funding.budget import budget_table

        return budget_table(self.budget, lang or self.lang)


@dataclass(frozen=True, slots=True)
class PlanReport:
    """`policy.plan`: the optimal consortium and work split, alternatives, binding rules."""

    plan: PlanResult

    @property
    def status(self) -> str:
        return self.plan.status

    def as_json(self) -> dict:
        """`plan --json`."""
        from policy.output.plan_report import plan_json

        return plan_json(self.plan)

    def as_text(
        self, width: int | None = None, lang: str = "en", *, colour: bool = False
    ) -> str:
        return _render([self.renderable(lang)], width, colour)

    def renderable(self, lang: str = "en") -> Any:
        from policy.output.plan_report import plan_table

        return plan_table(self.plan, lang)


@dataclass(frozen=True, slots=True)
class CatalogueReport:
    """`policy.programmes` / `policy.programme` / `policy.compare`: catalogue documents.
    `kind` says which table `renderable` draws ("catalogue", "programme" or "compare")."""

    document: dict
    kind: str

    def as_json(self) -> dict:
        """`programmes --json`, `show --json` or `compare --json`."""
        return self.document

    def as_text(self, width: int | None = None, *, colour: bool = False) -> str:
        return _render([self.renderable()], width, colour)

    def renderable(self) -> Any:
        from policy.output import catalogue_report as out

        if self.kind == "compare":
            return out.compare_table(self.document)
        if self.kind == "programme":
            from rich.markdown import Markdown

            return Markdown(self.document["text"])
        return out.catalogue_table(self.document)


@dataclass(frozen=True, slots=True)
class QuizReport:
    """`policy.quiz`: the next question of the adaptive quiz and the ranking so far."""

    step: QuizStep
    lang: str = "en"

    @property
    def question(self) -> dict | None:
        """The next question (field, label, help, kind, choices, item), or None when no
        unanswered field can change any programme's status."""
        return self.step.question

    @property
    def check(self) -> CheckReport:
        """The check of the answers so far (unanswered fields unknown)."""
        return CheckReport(self.step.checked, None, self.lang)

    @property
    def profile(self) -> dict:
        """The answers as a profile mapping (a placeholder company id)."""
        return self.step.profile

    def as_json(self) -> dict:
        """The answer of `POST /api/v1/quiz/next`: the question, the ranked results as
        `check --json` gives them, and how many questions were answered."""
        checked = self.check.as_json()
        return {
            "question": self.step.question,
            "results": checked["results"],
            "asked": self.step.asked,
            "as_of": checked["as_of"],
        }
