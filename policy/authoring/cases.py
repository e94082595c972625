"""Rule cases: worked examples beside each rule file, and the runner that checks them.

A case file `programmes/<level>/<name>.cases.yaml` sits beside `<name>.rules`:

```yaml
# what is tested, and the readings behind the expectations
programme: kmo_groeisubsidie      # optional: the programme checked; omit for definition-only files
as_of: 2026-03-01                 # optional default for every case
base: {company: {...}, project: {...}}   # optional base profile every case starts from
cases:
  - name: advice exactly at the €20,000 minimum
    as_of: 2026-03-01
    patch: {project: {costs: [{category: advice, amount: 20000}]}}
    # or `profile:` instead of `patch:` for a complete profile
    expect:
      status: eligible              # eligible | ineligible | unknown
      amount: "10000.00"            # decimal string, or null (no amount)
      category: small               # SME category; null: unknown
      failed: [minimum_project_amount]      # exactly the failed conditions
      missing: [project.theme]              # exactly the programme's missing fields
      values: {eu_difficulty.in_difficulty: true}   # definitions' values; null: unknown
```

`patch` is deep-merged onto `base`: mappings merge key by key, lists and scalars replace,
and `null` deletes a key (which in a profile means "unknown", or "no project" for
`project: null`). Numbers are read exactly, as in profiles.

In `values`, a condition is `true`/`false`, a symbol is its name, a quantity a decimal
(string or number) and a percentage is written 0-100 as in profiles (`30` for 30 %);
`null` expects the definition to be unknown (no value).

`load_cases` raises `policy.errors.InputError` naming the file and the case; `run_case`
evaluates one case and returns a `CaseOutcome` whose `diff` reads expected against actual;
`run_cases` does the same for many, solving cases of the same date together.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from dsl import ir
from dsl.errors import N_
from dsl.types import BOOL, DATE, NUMERIC, PERCENT
from policy import engine, well_known
from policy.errors import InputError
from policy.inputs.loading import parse_profile, read_data_and_node
from policy.inputs.profile import Profile
from solver.asp.run import solve
from solver.record import InputRecord

__all__ = [
    "Case",
    "CaseOutcome",
    "Expectation",
    "Mismatch",
    "find_case_files",
    "load_cases",
    "run_case",
    "run_cases",
]

SUFFIX = ".cases.yaml"
STATUSES = ("eligible", "ineligible", "unknown")
CATEGORIES = ("micro", "small", "medium", "large")
CATEGORY_DEFINITION = well_known.CATEGORY

_FILE_KEYS = ("programme", "as_of", "base", "cases")
_CASE_KEYS = ("name", "as_of", "patch", "profile", "expect")
_EXPECT_KEYS = ("status", "amount", "category", "failed", "missing", "values")
# Only `expect` keys that read a programme's result need a programme.
_PROGRAMME_KEYS = ("status", "amount", "failed", "missing")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

ExpectedValue = bool | str | Decimal | None


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a case expects. A field left `None` (or not in `given`) is not checked."""

    given: frozenset[str]  # the expect keys written in the file
    status: str | None = None
    amount: Decimal | None = None  # None with "amount" in given: no amount expected
    category: str | None = None  # None with "category" in given: unknown expected
    failed: frozenset[str] | None = None
    missing: frozenset[str] | None = None
    values: dict[str, ExpectedValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Case:
    file: Path
    index: int  # position in the file's `cases` list, from 0
    name: str
    programme: str | None
    as_of: dt.date
    profile: Profile
    expect: Expectation
    line: int = 0  # where the case starts in its file, from 1 (0: not known)

    @property
    def id(self) -> str:
        """A stable identifier: the rule file's stem and the case name."""
        return f"{self.file.name.removesuffix(SUFFIX)}: {self.name}"

    @property
    def where(self) -> str:
        return f'cases[{self.index}] "{self.name}"'


@dataclass(frozen=True, slots=True)
class Mismatch:
    what: str  # status, amount, category, failed, missing, or a definition's name
    expected: str
    actual: str
    detail: str = ""


@dataclass(slots=True)
class CaseOutcome:
    case: Case
    mismatches: list[Mismatch]
    # The programme's answer the case was compared with (None for definition-only cases):
    # `subsidia test` counts condition coverage from it without evaluating the case again.
    report: engine.CheckReport | None = None
    # What the case file would have to say to pass: expect key (or definition) -> value.
    actual: dict[str, object] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.mismatches

    @property
    def diff(self) -> str:
        """Expected against actual, one line per mismatch; empty when the case passed."""
        if self.passed:
            return ""
        lines = [f"{self.case.file}: {self.case.where} (as of {self.case.as_of})"]
        width = max(len(m.what) for m in self.mismatches)
        for m in self.mismatches:
            line = f"  {m.what:<{width}}  expected {m.expected}, got {m.actual}"
            lines.append(line + (f"  ({m.detail})" if m.detail else ""))
        return "\n".join(lines)


# --- finding and loading ----------------------------------------------------------------


def find_case_files(root: str | Path) -> list[Path]:
    """Every `*.cases.yaml` under `root`, in a stable order."""
    return sorted(Path(root).rglob("*" + SUFFIX))


def load_cases(path: str | Path) -> list[Case]:
    """Read and validate a case file; every profile is validated here, before any run."""
    file = Path(path)
    name = str(path)
    # The profile reader gives exact decimals, dates as text and refuses duplicate keys:
    # the same reading as profiles, so a case means what the same profile file would.
    data, node = read_data_and_node(file)
    lines = _case_lines(node)
    if not isinstance(data, dict):
        raise InputError("", N_("a case file must be a mapping with a 'cases' list"), name)
    _no_unknown_keys(data, _FILE_KEYS, "", name)
    programme = data.get("programme")
    if programme is not None and (not isinstance(programme, str) or not programme.strip()):
        raise InputError("programme", N_("must be a programme id"), name)
    default_as_of = _date(data["as_of"], "as_of", name) if data.get("as_of") is not None else None
    base = data.get("base")
    if base is not None and not isinstance(base, dict):
        raise InputError("base", N_("must be a mapping (a profile)"), name)
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise InputError("cases", N_("must be a non-empty list of cases"), name)
    cases: list[Case] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_cases):
        case = _case(raw, index, file, programme, default_as_of, base)
        if case.name in seen:
            raise InputError(case.where, N_("a case of this name comes earlier in the file"), name)
        seen.add(case.name)
        cases.append(dataclasses.replace(case, line=lines.get(index, 0)))
    return cases


def _case_lines(root: object) -> dict[int, int]:
    """The line each case starts on, from the file's YAML node tree (none for JSON)."""
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "cases":
            if isinstance(value, yaml.SequenceNode):
                return {i: item.start_mark.line + 1 for i, item in enumerate(value.value)}
    return {}


def _case(
    raw: object,
    index: int,
    file: Path,
    programme: str | None,
    default_as_of: dt.date | None,
    base: dict[str, object] | None,
) -> Case:
    name = str(file)
    if not isinstance(raw, dict):
        raise InputError(f"cases[{index}]", N_("a case must be a mapping"), name)
    title = raw.get("name")
    if not isinstance(title, str) or not title.strip():
        raise InputError(f"cases[{index}].name", N_("every case needs a name (text)"), name)
    where = f'cases[{index}] "{title.strip()}"'
    _no_unknown_keys(raw, _CASE_KEYS, where, name)
    if raw.get("as_of") is not None:
        as_of = _date(raw["as_of"], f"{where}.as_of", name)
    elif default_as_of is not None:
        as_of = default_as_of
    else:
        raise InputError(f"{where}.as_of", N_("required (here or at the top of the file)"), name)
    if "patch" in raw and "profile" in raw:
        raise InputError(where, N_("give either 'patch' or 'profile', not both"), name)
    if "profile" in raw:
        data = raw["profile"]
        origin = "profile"
    else:
        patch = raw.get("patch")
        if base is None:
            raise InputError(where, N_("needs a 'profile' (the file has no 'base' to patch)"), name)
        if patch is not None and not isinstance(patch, dict):
            raise InputError(f"{where}.patch", N_("must be a mapping"), name)
        data = _merge(base, patch or {})
        origin = "patch (merged onto base)"
    try:
        profile = parse_profile(data)
    except InputError as exc:
        at = f"{where}.{origin}" + (f": {exc.path}" if exc.path else "")
        raise InputError(at, exc.message, name) from None
    if "expect" not in raw or not isinstance(raw["expect"], dict) or not raw["expect"]:
        raise InputError(
            f"{where}.expect", N_("every case needs a non-empty 'expect' mapping"), name
        )
    expect = _expectation(raw["expect"], f"{where}.expect", name)
    if programme is None:
        needs = [k for k in _PROGRAMME_KEYS if k in expect.given]
        if needs:
            message = (
                N_("{keys} needs a 'programme' at the top of the file", keys=needs[0])
                if len(needs) == 1
                else N_("{keys} need a 'programme' at the top of the file", keys=", ".join(needs))
            )
            raise InputError(f"{where}.expect", message, name)
    return Case(file, index, title.strip(), programme, as_of, profile, expect)


def _merge(base: object, patch: object) -> object:
    """Deep merge: mappings merge key by key, anything else replaces; `None` deletes."""
    if not (isinstance(base, dict) and isinstance(patch, dict)):
        return copy.deepcopy(patch)
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _expectation(raw: dict[object, object], where: str, name: str) -> Expectation:
    _no_unknown_keys(raw, _EXPECT_KEYS, where, name)
    status = raw.get("status")
    if "status" in raw and status not in STATUSES:
        raise InputError(
            f"{where}.status", N_("must be one of {names}", names=", ".join(STATUSES)), name
        )
    amount = None
    if raw.get("amount") is not None:
        amount = _decimal(raw["amount"], f"{where}.amount", name)
    category = raw.get("category")
    if category is not None and category not in CATEGORIES:
        message = N_("must be one of {names}, or null for unknown", names=", ".join(CATEGORIES))
        raise InputError(f"{where}.category", message, name)
    values: dict[str, ExpectedValue] = {}
    if "values" in raw:
        given_values = raw["values"]
        if not isinstance(given_values, dict) or not given_values:
            raise InputError(f"{where}.values", N_("must be a mapping of definitions"), name)
        for key, value in given_values.items():
            if not isinstance(key, str) or "." not in key:
                message = N_("{key!r} is not a qualified definition name (block.name)", key=key)
                raise InputError(f"{where}.values", message, name)
            if isinstance(value, int) and not isinstance(value, bool):
                value = Decimal(value)
            if not isinstance(value, bool | str | Decimal | None):
                message = N_("must be true/false, a symbol, a decimal, or null for unknown")
                raise InputError(f"{where}.values.{key}", message, name)
            values[key] = value
    return Expectation(
        given=frozenset(str(k) for k in raw),
        status=status if isinstance(status, str) else None,
        amount=amount,
        category=category if isinstance(category, str) else None,
        failed=_names(raw, "failed", where, name),
        missing=_names(raw, "missing", where, name),
        values=values,
    )


def _names(raw: dict[object, object], key: str, where: str, name: str) -> frozenset[str] | None:
    if key not in raw:
        return None
    value = raw[key]
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}.{key}", N_("must be a list of names ([] for none)"), name)
    return frozenset(value)


def _no_unknown_keys(
    raw: dict[object, object], known: tuple[str, ...], where: str, name: str
) -> None:
    for key in raw:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = (
                N_("; did you mean {close!r}?", close=close[0])
                if close
                else N_("; expected {known}", known=", ".join(known))
            )
            raise InputError(where, N_("unknown key {key!r}{hint}", key=key, hint=hint), name)


def _date(value: object, where: str, name: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(where, N_("expected a date YYYY-MM-DD, got {value!r}", value=value), name)


def _decimal(value: object, where: str, name: str) -> Decimal:
    if isinstance(value, bool):
        raise InputError(where, N_("expected a decimal, got a boolean"), name)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(
            where, N_("expected a decimal, got {value!r}", value=value), name
        ) from None
    if not number.is_finite():
        raise InputError(where, N_("expected a finite decimal"), name)
    return number


# --- running -----------------------------------------------------------------------------


def run_case(case: Case, root: str | Path | None = None) -> CaseOutcome:
    """Evaluate one case against the rules under `root` (default: the engine's rules root).

    Unknown programmes, definitions or condition names are errors in the case file, not
    mismatches: they raise `InputError` naming the file and the case.
    """
    return run_cases([case], root)[0]


def run_cases(
    cases: list[Case],
    root: str | Path | None = None,
    backend: str = "clingo",
    catalogue: ir.Catalogue | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[CaseOutcome]:
    """Evaluate many cases; outcomes in input order, as `run_case` would give them one by one.

    Cases sharing a date (and programme) are solved in one grounding: setting up clingo
    costs far more than one more record, and each record is still answered on its own.
    `catalogue` evaluates against those rules instead of the rules under `root` (a folder
    under test, a mutant); `backend` is clingo (the reference) or direct; `progress` is
    called with the number of cases each step has answered. Raises
    `InputError` for the first malformed case.
    """
    cat = catalogue if catalogue is not None else engine.catalogue(root)
    root_key = str(root or engine.rules_root())
    for case in cases:
        _check_names(case, cat)
    records = [case.profile.to_record() for case in cases]
    if backend == "direct":
        return _run_direct(cases, records, cat, progress)

    # Programme results, through the public engine API (rounding, not-in-force, missing).
    results: dict[int, engine.CheckReport] = {}
    by_programme: dict[tuple[dt.date, str], list[int]] = {}
    for i, case in enumerate(cases):
        if case.programme is not None:
            by_programme.setdefault((case.as_of, case.programme), []).append(i)
    for (as_of, programme), indices in by_programme.items():
        group = [records[i] for i in indices]
        if catalogue is None:
            reports = engine.check_records(group, as_of, [programme], root, backend)
        else:
            reports = engine.check_catalogue_records(cat, group, as_of, [programme], backend)
        results.update(zip(indices, reports, strict=True))

    # Definitions' values: one program per date exporting every name its cases ask for.
    wanted = [_wanted(case) for case in cases]
    exports: dict[int, dict[str, object]] = {}
    by_date: dict[dt.date, list[int]] = {}
    for i, case in enumerate(cases):
        if wanted[i]:
            by_date.setdefault(case.as_of, []).append(i)
    for as_of, indices in by_date.items():
        names = tuple(sorted({q for i in indices for q in wanted[i]}))
        group = [records[i] for i in indices]
        if catalogue is None and backend == "clingo":
            program = engine.definitions_program(as_of, names, root_key)
            values = [dict(answer.exports) for answer in solve(program, group)]
        else:
            values = engine.definition_values(cat, group, as_of, list(names), backend)
        exports.update(zip(indices, values, strict=True))

    if progress is not None:
        progress(len(cases))
    return [_compare(case, cat, results.get(i), exports.get(i, {})) for i, case in enumerate(cases)]


def _run_direct(
    cases: list[Case],
    records: list[InputRecord],
    cat: ir.Catalogue,
    progress: Callable[[int], None] | None,
) -> list[CaseOutcome]:
    """The direct backend's run: one program per date for every programme and definition
    the date's cases ask for (building a program costs more than evaluating a record)."""
    by_date: dict[dt.date, list[int]] = {}
    for i, case in enumerate(cases):
        by_date.setdefault(case.as_of, []).append(i)
    outcomes: dict[int, CaseOutcome] = {}
    for as_of, indices in by_date.items():
        names = sorted({q for i in indices for q in _wanted(cases[i])})
        wanted = [cases[i].programme for i in indices]
        group = [records[i] for i in indices]
        answers = engine.direct_by_date(cat, group, as_of, wanted, names)
        for i, (report, exports) in zip(indices, answers, strict=True):
            outcomes[i] = _compare(cases[i], cat, report, exports)
        if progress is not None:
            progress(len(indices))
    return [outcomes[i] for i in range(len(cases))]


def _wanted(case: Case) -> set[str]:
    wanted = set(case.expect.values)
    if case.programme is None and "category" in case.expect.given:
        wanted.add(CATEGORY_DEFINITION)
    return wanted


def _check_names(case: Case, cat: ir.Catalogue) -> None:
    name = str(case.file)
    if case.programme is not None:
        if case.programme not in cat.programmes:
            message = _unknown("programme", case.programme, list(cat.programmes))
            raise InputError("programme", message, name)
        conditions = [c.name for c in cat.programmes[case.programme].conditions]
        for cond in sorted(case.expect.failed or ()):
            if cond not in conditions:
                message = _unknown("condition", cond, conditions)
                raise InputError(f"{case.where}.expect.failed", message, name)
    for qname in sorted(case.expect.values):
        if qname not in cat.definitions:
            message = _unknown("definition", qname, list(cat.definitions))
            raise InputError(f"{case.where}.expect.values", message, name)


def _compare(
    case: Case,
    cat: ir.Catalogue,
    report: engine.CheckReport | None,
    exports: dict[str, object],
) -> CaseOutcome:
    expect = case.expect
    mismatches: list[Mismatch] = []
    actual: dict[str, object] = {}
    category: object = None
    if report is not None:
        result = report.results[0]
        category = report.sme.category
        actual["status"] = result.status
        actual["amount"] = result.amount
        actual["failed"] = sorted(r.condition for r in result.reasons if r.status == "failed")
        actual["missing"] = sorted(result.missing)
        if expect.status is not None and result.status != expect.status:
            mismatches.append(Mismatch("status", expect.status, result.status, _note(result)))
        if "amount" in expect.given and result.amount != expect.amount:
            mismatches.append(
                Mismatch("amount", _show_amount(expect.amount), _show_amount(result.amount))
            )
        if expect.failed is not None:
            failed = {r.condition for r in result.reasons if r.status == "failed"}
            mismatches.extend(_compare_sets("failed", expect.failed, failed))
        if expect.missing is not None:
            mismatches.extend(_compare_sets("missing", expect.missing, set(result.missing)))
    else:
        category = exports.get(CATEGORY_DEFINITION)
    if report is not None or "category" in expect.given:
        actual["category"] = category
    if "category" in expect.given and category != expect.category:
        mismatches.append(Mismatch("category", _show(expect.category), _show(category)))
    for qname, expected in expect.values.items():
        type_ = cat.definitions[qname].type
        value = exports.get(qname)
        actual["values." + qname] = _case_value(value, type_)
        if not _value_matches(expected, value, type_):
            mismatches.append(Mismatch(qname, _show(expected), _show_value(value, type_)))
    return CaseOutcome(case, mismatches, report, actual)


def _case_value(value: object, type_: object) -> object:
    """A definition's value as a case file writes it: percentages 0-100, exact decimals."""
    if isinstance(value, Fraction):
        return Decimal(engine.exact_decimal(value * 100 if type_ == PERCENT else value))
    return value


def _value_matches(expected: ExpectedValue, actual: object, type_: object) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if type_ == BOOL:
        return expected is actual
    if type_ in NUMERIC:
        if isinstance(expected, bool):
            return False
        try:
            want = Fraction(Decimal(str(expected)))
        except InvalidOperation:
            return False
        # Percentages are written 0-100 in case files, as in profiles.
        # mypy, ignored below: a percent's value is a Fraction (the checker typed it)
        got = actual * 100 if type_ == PERCENT else actual  # type: ignore[operator]
        return want == got
    if type_ == DATE:
        return isinstance(actual, dt.date) and str(expected) == actual.isoformat()
    return isinstance(expected, str) and expected == actual


def _show_value(actual: object, type_: object) -> str:
    if isinstance(actual, Fraction):
        return engine.exact_decimal(actual * 100 if type_ == PERCENT else actual)
    return _show(actual)


def _show(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _show_amount(value: Decimal | None) -> str:
    return "no amount" if value is None else str(value)


def _note(result: engine.ProgrammeResult) -> str:
    """Why the status is what it is: the failed and unknown conditions, briefly."""
    if result.note:
        return result.note
    failed = [r.condition for r in result.reasons if r.status == "failed"]
    unknown = [r.condition for r in result.reasons if r.status == "unknown"]
    parts = []
    if failed:
        parts.append("failed: " + ", ".join(failed))
    if unknown:
        parts.append("unknown: " + ", ".join(unknown))
    return "; ".join(parts)


def _compare_sets(what: str, expected: frozenset[str], actual: set[str]) -> list[Mismatch]:
    if expected == actual:
        return []
    detail = []
    if expected - actual:
        detail.append("not there: " + ", ".join(sorted(expected - actual)))
    if actual - expected:
        detail.append("unexpected: " + ", ".join(sorted(actual - expected)))
    return [Mismatch(what, _set(expected), _set(actual), "; ".join(detail))]


def _set(names: frozenset[str] | set[str]) -> str:
    return "[" + ", ".join(sorted(names)) + "]"


def _unknown(kind: str, value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    hint = N_("; did you mean {close!r}?", close=close[0]) if close else ""
    if kind == "programme":
        return N_("unknown programme {value!r}{hint}", value=value, hint=hint)
    if kind == "condition":
        return N_("unknown condition {value!r}{hint}", value=value, hint=hint)
    return N_("unknown definition {value!r}{hint}", value=value, hint=hint)
