"""How long the adaptive quiz is, against fixed ways of choosing questions.

Each generated complete profile (benchmarks/generate.py, turned into the profile format)
answers the quiz itself: every question is answered with what the profile says (None
where it says nothing). Counted per profile and strategy: the questions until `question`
is None (the whole quiz), and until the best programme the whole profile decides (the
first of its ranking that is not `unknown`) is decided in the quiz; a profile whose
whole check decides no programme is left out of that count. Strategies: `settle` (the
quiz, policy/funding/quiz.py), `most_missing` (the field most still-unknown programmes
need: the missing-variable heuristic of Publicodes' forms), `needed_in_order` (the
first needed field in the profile format's order) and `fixed` (a static form in the
profile format's order). All stop when no unanswered field can change a status. Every
run also checks the quiz's promise: each status the quiz reports as decided equals the
whole profile's.

    .venv/bin/python -m benchmarks.quiz --profiles 1000 [--seed 7] [--as-of 2026-03-01]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from fractions import Fraction
from typing import Any

from benchmarks.generate import random_records
from dsl import vocabulary as vocab
from dsl.types import PERCENT
from solver.record import InputRecord

# Name -> (strategy, grouped). Grouped: a question asks the open fields of a group
# together (as the page and the API do); "one field" variants ask one field a question,
# as the quiz did before groups, for the comparison.
VARIANTS: dict[str, tuple[str, bool]] = {
    "settle": ("settle", True),
    "most_missing": ("most_missing", True),
    "weighted_missing": ("weighted_missing", True),
    "needed_in_order": ("needed_in_order", True),
    "fixed": ("fixed", True),
    "settle_1": ("settle", False),
    "most_missing_1": ("most_missing", False),
    "fixed_1": ("fixed", False),
}
STRATEGIES = tuple(VARIANTS)


def _plain(value: object, percent: bool) -> object:
    if isinstance(value, Fraction):
        number = value * 100 if percent else value
        from policy.engine import exact_decimal

        return exact_decimal(number)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_profile(record: InputRecord) -> dict[str, Any]:
    """A generated record in the profile format (percentages back to 0–100)."""
    data: dict[str, Any] = {}
    for path, value in record.scalars.items():
        section, name = path.split(".", 1)
        typ = vocab.SCALARS.get(path)
        data.setdefault(section, {})[name] = _plain(value, typ == PERCENT)
    for path, items in record.collections.items():
        if path == "company.enterprises.aid":
            continue  # nested in the enterprises in a profile
        section, name = path.split(".", 1)
        fields = vocab.COLLECTIONS[path].fields if vocab.COLLECTIONS[path].scalar is None else {}
        rows = [
            {k: _plain(v, fields.get(k) == PERCENT) for k, v in item.items()}
            if isinstance(item, dict)
            else _plain(item, False)
            for item in items
        ]
        if section == "project" or rows:
            data.setdefault(section, {})[name] = rows
    return data


def run_quiz(
    profile: Any, top: str, full: dict[str, str], day: dt.date, variant: str, first: tuple
) -> tuple[int, int | None, int | None, list[str]]:
    """(questions in all, questions until `top` is decided, questions from which on the
    live ranking's first row is `first` — the whole profile's first row, (programme,
    status) — to the end, statuses that disagree). A question may ask several fields (a
    group, policy/inputs/questions.py): it counts once, as the person answering it sees
    one page; each field is answered from the profile."""
    from policy.funding.quiz import answer_from, step
    from policy.output.check_report import ranked

    strategy, grouped = VARIANTS[variant]
    answers: dict[str, object] = {}
    questions = 0
    top_after = live_after = None
    while True:
        now = step(answers, day, strategy=strategy, grouped=grouped)
        status = {r.programme: r.status for r in now.checked.results}
        if top_after is None and top and status[top] != "unknown":
            top_after = questions
        head = ranked(now.checked.results)[0]
        if (head.programme, head.status) != first:
            live_after = None
        elif live_after is None:
            live_after = questions
        if now.question is None:
            wrong = [p for p, s in status.items() if s != "unknown" and s != full[p]]
            return questions, top_after, live_after, wrong
        questions += 1
        for part in now.question["fields"]:
            field = part["field"]
            if field in answers:
                raise AssertionError(f"{field} asked twice ({variant})")
            answers[field] = answer_from(profile, field)


def _summary(values: list[int]) -> str:
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return (
        f"median {statistics.median(values):g}, mean {statistics.mean(values):.2f}, "
        f"p90 {p90}, max {values[-1]}"
    )


def main(argv: list[str] | None = None) -> int:
    import policy
    from policy.errors import InputError

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 3, 1))
    parser.add_argument(
        "--strategies",
        default=",".join(STRATEGIES),
        help="comma-separated, of " + ", ".join(STRATEGIES),
    )
    args = parser.parse_args(argv)
    chosen = [s for s in args.strategies.split(",") if s]
    if unknown := set(chosen) - set(STRATEGIES):
        parser.error(f"unknown strategies: {', '.join(sorted(unknown))}")
    day = args.as_of

    profiles, refused = [], 0
    for record in random_records(args.profiles, args.seed):
        try:
            profiles.append(policy.load_profile(to_profile(record)))
        except InputError:
            refused += 1  # a generated combination the profile format refuses
    lengths: dict[str, list[int]] = {s: [] for s in chosen}
    to_top: dict[str, list[int]] = {s: [] for s in chosen}
    to_eligible: dict[str, list[int]] = {s: [] for s in chosen}  # tops that are eligible
    # As the person sees it: from which question on the quiz's own ranking shows the whole
    # profile's first row (programme and status) at its top, for good; counted for
    # profiles whose first row is decided (eligible, or every programme ineligible).
    to_live: dict[str, list[int]] = {s: [] for s in chosen}
    seconds = {s: 0.0 for s in chosen}
    steps = {s: 0 for s in chosen}
    wrong = undecided_top = 0
    # What any quiz must ask to decide an eligible top programme: the fields its
    # conditions need with nothing answered (each condition must come out met).
    from policy.funding.quiz import step as quiz_step
    from policy.inputs.questions import owning_field

    empty = {r.programme: r for r in quiz_step({}, day).checked.results}
    reads = {p: {owning_field(f) for f in r.missing} - {None} for p, r in empty.items()}
    floor: list[int] = []
    for profile in profiles:
        checked = policy.check(profile, as_of=day)
        full = {r.programme: r.status for r in checked.checked.results}
        # The best programme the whole profile decides (ranked: eligible first, larger
        # amounts first); a profile that decides none is not counted.
        decided = [r.programme for r in checked.results if r.status != "unknown"]
        top = decided[0] if decided else ""
        undecided_top += not decided
        if checked.results[0].status == "eligible":
            floor.append(len(reads[top]))
        head = checked.results[0]
        first = (head.programme, head.status)
        for strategy in chosen:
            start = time.perf_counter()
            total, top_after, live_after, bad = run_quiz(profile, top, full, day, strategy, first)
            seconds[strategy] += time.perf_counter() - start
            steps[strategy] += total + 1
            lengths[strategy].append(total)
            if top:
                after = total if top_after is None else top_after
                to_top[strategy].append(after)
                if checked.results[0].status == "eligible":
                    to_eligible[strategy].append(after)
            if head.status != "unknown":
                to_live[strategy].append(total if live_after is None else live_after)
            wrong += len(bad)
    print(f"{len(profiles)} profiles (seed {args.seed}, {refused} refused), as of {day}")
    print(f"whole check decides no programme (not counted for the top): {undecided_top}")
    print(f"decided statuses that differ from checking the whole profile: {wrong}")
    for strategy in chosen:
        per_step = 1000 * seconds[strategy] / max(steps[strategy], 1)
        print(f"{strategy:>13}: whole quiz {_summary(lengths[strategy])}")
        print(f"{'':>13}  top programme decided after {_summary(to_top[strategy])}")
        if to_eligible[strategy]:
            print(f"{'':>13}  ... when it is eligible: {_summary(to_eligible[strategy])}")
        if to_live[strategy]:
            print(
                f"{'':>13}  the live ranking's top row final ({len(to_live[strategy])} "
                f"profiles whose first row is decided): {_summary(to_live[strategy])}"
            )
        print(f"{'':>13}  {per_step:.1f} ms per question (engine included)")
    if floor:
        print(
            f"{len(floor)} profiles with an eligible top programme; fields its conditions "
            f"need with nothing answered (a floor: answers can open more): {_summary(floor)}"
        )
    for quiz, static in (("settle", "fixed"), ("settle", "fixed_1"), ("settle_1", "fixed_1")):
        if lengths.get(quiz) and lengths.get(static):
            short = 1 - statistics.mean(lengths[quiz]) / statistics.mean(lengths[static])
            print(f"whole quiz, {quiz} vs {static}: {100 * short:.1f} % shorter (means)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
