"""`subsidia lint`: solver-backed findings about rule files, beyond what the checker rejects.

- L701 a programme no profile can satisfy;
- L702 a condition implied by the others (no profile meets all the others and fails it);
- L703 a condition no profile can fail; L704 a condition no profile can meet;
- L705 a parameter whose versions leave a gap between them (a gap where a programme that
  uses it is valid is already the checker's error E502; this finds the others, which a
  later change of the programme's validity would turn into errors);
- the checker's own warnings (W601 missing labels, W602 missing sources) and, as errors
  (exit code 2, like `subsidia validate`), overlapping versions (E501) and gaps where a
  programme is valid (E502).

Findings come from witness searches (solver.witness) over the values the rules compare each
field with, and no amounts are compiled (no finding depends on one); other
blocks' definitions (the SME definition, …) are free choices, so every finding holds for
the real definitions too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

from dsl import ir
from dsl.codes import (
    ALLOW_WITHOUT_REASON,
    IMPLIED_CONDITION,
    NEVER_FAILS,
    NEVER_MET,
    UNSATISFIABLE,
    VERSION_GAP,
    ZERO_COSTS,
)
from dsl.diagnostics import Diagnostic
from dsl.errors import N_
from dsl.loader import load_catalogue, rule_files
from dsl.span import Span
from dsl.types import BOOL, NUMBER
from policy.authoring.lint_examples import COSTS, ExampleRequest, reads_costs, without_cost_lines
from solver.asp.compile import CompiledProgram, compile_programmes
from solver.search.witness import (
    Domain,
    Search,
    abstract,
    abstract_definitions,
    build_domain,
    cond_atom,
    status_atom,
)


def _programme_span(prog: ir.Programme) -> Span:
    return Span(prog.file, 1, 1, 1, 1)


_NO_COST_LINE = "no_cost_line__"  # a name no rule file can use (dunder suffix)


def _reads_costs(prog: ir.Programme, catalogue: ir.Catalogue) -> bool:
    """Whether the programme's amount is computed from the project's cost lines."""
    return prog.amount is not None and reads_costs(prog.amount.expr, catalogue)


def _no_cost_line() -> ir.Condition:
    """`count(true for c in project.costs) = 0`: the project has no cost line at all."""
    var = ir.Var("c", COSTS, 0)
    count = ir.Aggregate(NUMBER, "count", var, ir.Const(BOOL, True), None)
    zero = ir.Const(NUMBER, Fraction(0))
    return ir.Condition(_NO_COST_LINE, ir.Compare("=", count, zero), {}, ())


def _amount_span(prog: ir.Programme, pid: str) -> Span | None:
    """The programme's `amount {` line (the IR keeps no span for it), where an allowance
    for a finding about the amount belongs."""
    try:
        lines = Path(prog.file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    inside = False
    for number, line in enumerate(lines, 1):
        if re.match(rf"\s*programme\s+{re.escape(pid)}\b", line):
            inside = True
        elif inside and re.match(r"\s*amount\s*\{", line):
            column = len(line) - len(line.lstrip()) + 1
            return Span(prog.file, number, column, number, column + len("amount"))
    return None


def lint_catalogue(
    catalogue: ir.Catalogue,
    programmes: list[str],
    day: dt.date,
    examples: dict[int, ExampleRequest] | None = None,
) -> list[Diagnostic]:
    """The findings for `programmes`; a finding that can be shown with an example profile
    (a complete profile that `subsidia check` loads and that shows the finding) has the
    request that searches it in `examples`, under the finding's index in the list returned."""
    findings: list[Diagnostic] = []
    for pid in programmes:
        prog = catalogue.programmes[pid]
        if not prog.valid.contains(day):
            day_used = prog.valid.start or day
        else:
            day_used = day
        conds = tuple(
            dataclasses.replace(c, expr=abstract(c.expr, catalogue, {pid})) for c in prog.conditions
        )
        # Every question is about conditions: the amount is not compiled (status does not
        # depend on it, and it is what the grounder would spend its time on).
        view = ir.Catalogue(
            abstract_definitions(catalogue, {pid}),
            catalogue.params,
            {
                **catalogue.programmes,
                pid: dataclasses.replace(prog, conditions=conds, amount=None),
            },
            catalogue.blocks,
        )
        program = compile_programmes(view, day_used, [pid])
        search = _Staged(program, build_domain([c.expr for c in conds], view, day_used))
        if not search.find([(status_atom(pid, "eligible"), True)]):
            # The conditions that cannot be met even alone, if any, are the likely culprits:
            # the finding points at the first of them (where its allowance belongs).
            never = [c for c in conds if not search.find([(cond_atom(pid, c.name, "yes"), True)])]
            first = never[0].span if never else conds[0].span if conds else _programme_span(prog)
            findings.append(
                Diagnostic(
                    UNSATISFIABLE,
                    N_(
                        "no profile satisfies all conditions of '{programme}' on {day}",
                        programme=pid,
                        day=day_used.isoformat(),
                    ),
                    first,
                    (N_("the conditions contradict each other, or a boundary cannot be crossed"),),
                    "warning",
                )
            )
            findings += [
                Diagnostic(
                    NEVER_MET,
                    N_("condition '{name}' can never be met", name=cond.name),
                    cond.span,
                    severity="warning",
                )
                for cond in never
            ]
            continue
        if _reads_costs(prog, catalogue):
            found = _zero_costs(catalogue, pid, day_used, prog)
            if found and examples is not None:
                examples[len(findings)] = ExampleRequest(catalogue, pid, day_used)
            findings += found
        for cond in conds:
            others = [(cond_atom(pid, d.name, "yes"), True) for d in conds if d.name != cond.name]
            fails = (cond_atom(pid, cond.name, "no"), True)
            meets = (cond_atom(pid, cond.name, "yes"), True)
            if not search.find([fails]):
                findings.append(
                    Diagnostic(
                        NEVER_FAILS,
                        N_("condition '{name}' can never fail", name=cond.name),
                        cond.span,
                        severity="warning",
                    )
                )
            elif not search.find([meets]):
                findings.append(
                    Diagnostic(
                        NEVER_MET,
                        N_("condition '{name}' can never be met", name=cond.name),
                        cond.span,
                        severity="warning",
                    )
                )
            elif others and not search.find([fails, *others]):
                findings.append(
                    Diagnostic(
                        IMPLIED_CONDITION,
                        N_(
                            "condition '{name}' is implied by the others: no profile meets "
                            "all the other conditions and fails this one",
                            name=cond.name,
                        ),
                        cond.span,
                        (N_("remove it, or check whether another condition is too strict"),),
                        "warning",
                    )
                )
    return findings


def _zero_costs(
    catalogue: ir.Catalogue, pid: str, day: dt.date, prog: ir.Programme
) -> list[Diagnostic]:
    """L706: a profile with no cost line that is eligible for a programme whose amount
    is computed from the cost lines (it would be granted nothing, or a fixed sum)."""
    keep = {pid}
    given = (*prog.conditions, _no_cost_line())
    empty = without_cost_lines([c.expr for c in given], catalogue)  # one walk, one memo
    probe = tuple(
        dataclasses.replace(c, expr=abstract(e, catalogue, keep))
        for c, e in zip(given, empty, strict=True)
    )
    programme = dataclasses.replace(prog, conditions=probe, amount=None)
    probe_view = ir.Catalogue(
        abstract_definitions(catalogue, keep),
        catalogue.params,
        {**catalogue.programmes, pid: programme},
        catalogue.blocks,
    )
    program = compile_programmes(probe_view, day, [pid])
    domain = build_domain([c.expr for c in probe], probe_view, day)
    for stage in domain.stages():
        found = Search(program, stage).find([(status_atom(pid, "eligible"), True)])
        if found:
            first = prog.conditions[0].span if prog.conditions else _programme_span(prog)
            span = _amount_span(prog, pid) or first
            return [
                Diagnostic(
                    ZERO_COSTS,
                    N_(
                        "'{programme}' can be eligible with no eligible cost: its amount is "
                        "computed from the project's cost lines",
                        programme=pid,
                    ),
                    span,
                    (
                        N_(
                            "add a condition on the project's costs (a minimum, or at least "
                            "one line)"
                        ),
                    ),
                    "warning",
                )
            ]
    return []


class _Staged:
    """Witnesses with lists of at most one element first, then with longer ones: most
    questions have a short answer, and "none" holds only once both were searched."""

    def __init__(self, program: CompiledProgram, domain: Domain) -> None:
        self.program, self.stages = program, domain.stages()
        self.searches: dict[int, Search] = {}

    def find(self, assumptions: list) -> bool:
        for i, stage in enumerate(self.stages):
            if i not in self.searches:
                self.searches[i] = Search(self.program, stage)
            if self.searches[i].find(assumptions):
                return True
        return False


def parameter_gaps(catalogue: ir.Catalogue, qnames: list[str]) -> list[Diagnostic]:
    """L705: days between two consecutive versions of a parameter that no version covers."""
    findings = []
    one_day = dt.timedelta(days=1)
    for qname in qnames:
        param = catalogue.params[qname]
        periods = sorted((v.period for v in param.versions), key=lambda p: p.start or dt.date.min)
        for earlier, later in pairwise(periods):
            if earlier.end is None or later.start is None:
                continue  # overlapping: the checker's E501
            if later.start - earlier.end > one_day:
                gap = ir.Period(earlier.end + one_day, later.start - one_day)
                findings.append(
                    Diagnostic(
                        VERSION_GAP,
                        N_(
                            "parameter '{name}' has no value from {start} to {end}",
                            name=qname,
                            start=str(gap.start),
                            end=str(gap.end),
                        ),
                        param.span,
                        (
                            N_(
                                "between the versions {earlier} and {later}",
                                earlier=str(earlier),
                                later=str(later),
                            ),
                        ),
                        "warning",
                    )
                )
    return findings


# `# lint: allow L702, L703 because the call text states it separately`
_ALLOW = re.compile(r"#\s*lint:\s*allow\b(?P<codes>[^#]*?)(?:\bbecause\b(?P<reason>.*))?$")
_CODE = re.compile(r"[ELW]\d{3}")


@dataclass(frozen=True, slots=True)
class Allowed:
    """A finding the rule file allows, and the reason it gives."""

    finding: Diagnostic
    reason: str


@dataclass(slots=True)
class LintRun:
    findings: list[Diagnostic]  # what is left once the allowances are applied
    allowed: list[Allowed]
    sources: dict[str, str]
    # id(finding) -> an example profile that `subsidia check` loads and that shows it
    examples: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def example(self, finding: Diagnostic) -> dict[str, Any] | None:
        return self.examples.get(id(finding))


def allowances(file: str, text: str) -> tuple[dict[int, dict[str, str]], list[Diagnostic]]:
    """The `# lint: allow` comments of a rule file: line -> code -> reason, where the
    line is the comment's own (a comment after code) or, for a comment on lines of its
    own, the first line of code below them. An allowance without a reason, or naming no
    code, is itself a finding (L707)."""
    allowed: dict[int, dict[str, str]] = {}
    problems: list[Diagnostic] = []
    pending: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        comment_only = stripped.startswith("#")
        if stripped and not comment_only and pending:
            allowed.setdefault(number, {}).update(pending)
            pending = {}
        found = _ALLOW.search(line) if "#" in line else None
        if found is None or _in_string(line, found.start()):
            continue
        codes = _CODE.findall(found.group("codes") or "")
        reason = " ".join((found.group("reason") or "").split())
        if codes and reason:
            target = pending if comment_only else allowed.setdefault(number, {})
            target.update(dict.fromkeys(codes, reason))
            continue
        problems.append(
            Diagnostic(
                ALLOW_WITHOUT_REASON,
                N_("allowing {codes} needs a reason", codes=tuple(codes))
                if codes
                else N_("a lint allowance needs the codes it allows and a reason"),
                Span(file, number, found.start() + 1, number, len(line) + 1),
                (N_("write it as: # lint: allow L702 because <why the finding is right>"),),
                "warning",
            )
        )
    return allowed, problems


def _in_string(line: str, index: int) -> bool:
    """Whether `index` falls inside a "..." text on the line (a label quoting a comment)."""
    return line.count('"', 0, index) % 2 == 1


def lint_run(paths: list[Path], rules_root: Path, day: dt.date) -> LintRun:
    """`lint_paths`, with the rule files' `# lint: allow` comments applied."""
    requests: dict[int, ExampleRequest] = {}
    findings, sources = lint_paths(paths, rules_root, day, False, requests)
    kept: list[Diagnostic] = []
    allowed: list[Allowed] = []
    problems: list[Diagnostic] = []
    table: dict[str, dict[int, dict[str, str]]] = {}
    for file, text in sorted(sources.items()):
        table[str(Path(file).resolve())], found = allowances(file, text)
        problems += found
    for finding in findings:
        lines = table.get(str(Path(finding.span.file).resolve()), {})
        reason = lines.get(finding.span.line, {}).get(finding.code)
        if reason is None:
            kept.append(finding)
        else:
            allowed.append(Allowed(finding, reason))
    examples: dict[int, dict[str, Any]] = {}
    for finding in kept:
        request = requests.get(id(finding))
        example = request.search(_no_cost_line()) if request is not None else None
        if example is not None:
            examples[id(finding)] = example
    return LintRun(kept + problems, allowed, sources, examples)


def finding_json(finding: Diagnostic, example: dict[str, Any] | None = None) -> dict[str, object]:
    span = finding.span
    shown: dict[str, object] = {} if example is None else {"example": example}
    return shown | {
        "code": str(finding.code),
        "severity": finding.severity,
        "message": finding.message,
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "hints": list(finding.hints),
    }


def lint_json(run: LintRun) -> dict[str, object]:
    """`subsidia lint --json` (docs/cli.md)."""
    return {
        "findings": [finding_json(f, run.example(f)) for f in run.findings],
        "allowed": [finding_json(a.finding) | {"reason": a.reason} for a in run.allowed],
    }


def lint_paths(
    paths: list[Path],
    rules_root: Path,
    day: dt.date,
    apply_allowances: bool = True,
    examples: dict[int, Any] | None = None,
) -> tuple[list[Diagnostic], dict[str, str]]:
    """Lint the programmes defined in `paths`, checked together with the rules root; the
    findings a `# lint: allow` comment allows are left out (unless `apply_allowances` is
    false), and an allowance without a reason is a finding. `examples` receives, by
    `id(finding)`, the example profile of each finding that has one (with allowances
    applied; without, the `ExampleRequest` that finds it)."""
    if apply_allowances:
        run = lint_run(paths, rules_root, day)
        if examples is not None:
            examples.update(run.examples)
        return run.findings, run.sources
    targets = {p.resolve() for p in rule_files(*paths)}
    roots = [rules_root]
    outside = [p for p in targets if rules_root.resolve() not in p.parents]
    roots += outside
    catalogue, warnings = load_catalogue(*roots)
    in_scope = [
        pid for pid, prog in catalogue.programmes.items() if Path(prog.file).resolve() in targets
    ]
    findings = [w for w in warnings if Path(w.span.file).resolve() in targets]
    own_params = [q for q, p in catalogue.params.items() if Path(p.span.file).resolve() in targets]
    findings += parameter_gaps(catalogue, own_params)
    by_index: dict[int, ExampleRequest] = {}
    found = lint_catalogue(catalogue, in_scope, day, by_index)
    if examples is not None:
        examples.update({id(found[i]): example for i, example in by_index.items()})
    findings += found
    sources = {}
    for target in targets:
        try:
            sources[str(target)] = target.read_text(encoding="utf-8")
        except OSError:
            pass
    for prog_file in {catalogue.programmes[p].file for p in in_scope}:
        sources.setdefault(prog_file, Path(prog_file).read_text(encoding="utf-8"))
    return findings, sources
