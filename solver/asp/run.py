"""The one place that owns `clingo.Control`: load a compiled program, add facts, solve."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import clingo

from dsl.types import BOOL, DATE, NUMERIC, Type
from solver.answer import Answer, CompilerBug, ProgrammeAnswer
from solver.asp.arith import Functions
from solver.asp.compile import CompiledProgram
from solver.asp.facts import add_facts, record_facts
from solver.record import InputRecord


def solve(program: CompiledProgram, records: list[InputRecord]) -> list[Answer]:
    """Evaluate every record against the program in one grounding; answers in input order."""
    messages: list[str] = []

    def logger(code: clingo.MessageCode, message: str) -> None:
        messages.append(message)

    ctl = clingo.Control(["--models=1"], logger=logger, message_limit=20)
    try:
        ctl.add("base", [], program.text)
        with ctl.backend() as backend:
            for index, record in enumerate(records):
                add_facts(backend, record_facts(index, record))
        ctl.ground([("base", [])], context=Functions())
    except RuntimeError as exc:
        raise CompilerBug("\n".join([str(exc), *messages])) from exc
    if messages:
        raise CompilerBug("\n".join(messages))
    answers = [Answer() for _ in records]
    shown: list[clingo.Symbol] = []
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            shown = model.symbols(shown=True)
            break
    for answer in answers:
        for pid in program.programmes:
            answer.programmes[pid] = ProgrammeAnswer("unknown")
    for sym in shown:
        args = sym.arguments
        answer = answers[args[0].number]
        name = sym.name
        if name == "status":
            answer.programmes[args[1].string].status = args[2].name
        elif name == "cond":
            answer.programmes[args[1].string].conditions[args[2].string] = args[3].name
        elif name == "need":
            answer.programmes[args[1].string].missing[args[2].string].add(args[3].string)
        elif name == "amount":
            answer.programmes[args[1].string].amount = Fraction(args[2].string)
        elif name == "part":
            answer.programmes[args[1].string].parts[args[2].string] = Fraction(args[3].string)
        elif name == "out":
            qname = args[1].string
            answer.exports[qname] = _decode(args[2], program.export_types[qname])
    return answers


def _decode(sym: clingo.Symbol, type_: Type) -> object:
    if type_ == BOOL:
        return sym.name == "true"
    if type_ == DATE:
        return dt.date.fromordinal(sym.number)
    if type_ in NUMERIC:
        return Fraction(sym.string)
    return sym.string
