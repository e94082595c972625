"""The vector backend: the catalogue at one date, evaluated over whole batches of records.

Each programme's conditions, amount and amount parts, and each exported definition, are
evaluated as polars columns (solver/vector/evaluate.py). What cannot be vectorised falls
back to the direct backend, which gives the same answers by construction (it is the
reference these answers are tested against, tests/test_vector_backend.py):

- a programme or definition using a construct the columns do not evaluate (found once,
  when the program is built, by evaluating it over no records) is answered per record
  by the direct backend;
- a record whose figures leave the exact integer range, or whose unknown answer needs an
  element's field (`project.costs[2].amount`: the columns know which list and field, not
  the index), is answered wholly by the direct backend.

Both are counted per record (`VectorAnswers.fallback`) and reported by the engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dsl import ir
from dsl.types import NUMERIC
from solver.answer import Answer, ProgrammeAnswer
from solver.native.direct import Context, DirectProgram, evaluate_node
from solver.native.resolve import ResolvedProgrammes
from solver.record import InputRecord
from solver.vector.evaluate import Col, Evaluator, Labels, Unvectorisable, collect_labels


@dataclass(slots=True)
class VectorAnswers:
    """Each record's answer, and how many of its programme decisions the direct backend
    gave (0 when all were vectorised)."""

    answers: list[Answer]
    fallback: list[int]


class VectorProgram(ResolvedProgrammes):
    """The catalogue's programmes at one date, ready to evaluate batches of records."""

    def __init__(
        self,
        catalogue: ir.Catalogue,
        as_of: dt.date,
        programmes: list[str] | None = None,
        exports: list[str] | None = None,
    ) -> None:
        super().__init__(catalogue, as_of, programmes, exports)
        self.direct = DirectProgram(catalogue, as_of, programmes, exports)
        roots = [node for nodes in self._outputs().values() for node in nodes]
        self.labels: Labels = collect_labels(roots)
        # Output (programme id, or exported definition's name) -> why it is not vectorised.
        self.unsupported: dict[str, str] = {}
        self.evaluate([])  # finds what does not vectorise, before any record

    def _outputs(self) -> dict[str, list[ir.Node]]:
        outputs: dict[str, list[ir.Node]] = {}
        for pid in self.programmes:
            nodes = [node for _, node in self.conditions[pid]]
            amount = self.amounts[pid]
            if amount is not None:
                nodes.append(amount)
            nodes.extend(node for _, node in self.parts[pid])
            outputs[pid] = nodes
        for qname, node in self.exports.items():
            outputs[qname] = [node]
        return outputs

    def vectorised(self) -> list[str]:
        """The programmes and exported definitions answered over columns."""
        return [name for name in self._outputs() if name not in self.unsupported]

    def evaluate(self, records: list[InputRecord]) -> list[Answer]:
        return self.evaluate_counted(records).answers

    def evaluate_counted(self, records: list[InputRecord]) -> VectorAnswers:
        ev = Evaluator(records, self.labels)
        cols: dict[int, Col] = {}
        for name, nodes in self._outputs().items():
            if name in self.unsupported:
                continue
            try:
                for node in nodes:
                    cols[id(node)] = ev.col(node)
            except Unvectorisable as why:
                self.unsupported[name] = str(why)
        ev.flush(())
        table = _Table(ev, cols)
        answers: list[Answer] = []
        fallback: list[int] = []
        for r, record in enumerate(records):
            answer = None if r in ev.fallback_rows else self._answer(r, record, table)
            if answer is None:  # the whole record from the direct backend
                answers.append(self.direct.evaluate([record])[0])
                fallback.append(len(self.programmes))
            else:
                answers.append(answer)
                fallback.append(sum(pid in self.unsupported for pid in self.programmes))
        return VectorAnswers(answers, fallback)

    def _answer(self, r: int, record: InputRecord, table: _Table) -> Answer | None:
        """The record's answer from the columns; None when it needs an element's index."""
        answer = Answer()
        ctx: Context | None = None
        for pid in self.programmes:
            if pid in self.unsupported:
                ctx = ctx or self.direct.context(record)
                answer.programmes[pid] = self.direct.programme_answer(ctx, pid)
                continue
            result = ProgrammeAnswer("unknown")
            decided_all = True
            for name, node in self.conditions[pid]:
                value = table.value(node, r)
                if value is None:
                    decided_all = False
                    needed = table.missing(node, r)
                    if needed is None:
                        return None
                    result.missing[name] = needed
                else:
                    result.conditions[name] = "yes" if value else "no"
            if "no" in result.conditions.values():
                result.status = "ineligible"
            elif decided_all:
                result.status = "eligible"
            amount_node = self.amounts[pid]
            if amount_node is not None:
                amount = table.value(amount_node, r)
                if amount is None:
                    needed = table.missing(amount_node, r)
                    if needed is None:
                        return None
                    result.missing["amount"] = needed
                else:
                    result.amount = amount  # type: ignore[assignment]
            for part_name, part_node in self.parts[pid]:
                value = table.value(part_node, r)
                if value is not None:
                    result.parts[part_name] = value  # type: ignore[assignment]
            answer.programmes[pid] = result
        for qname, node in self.exports.items():
            if qname in self.unsupported:
                ctx = ctx or self.direct.context(record)
                value = evaluate_node(node, ctx, ())
            else:
                value = table.value(node, r)
            if value is not None:
                answer.exports[qname] = value
        return answer


class _Table:
    """The records' frame as Python lists, read once per column."""

    def __init__(self, ev: Evaluator, cols: dict[int, Col]) -> None:
        self.ev = ev
        self.cols = cols
        self.lists: dict[str, list[Any]] = {}
        self.decoded: dict[tuple[int, ...], set[str] | None] = {}
        self.frame = ev.columns[()]

    def _list(self, name: str) -> list[Any]:
        found = self.lists.get(name)
        if found is None:
            found = self.lists[name] = self.frame[name].to_list()
        return found

    def value(self, node: ir.Node, r: int) -> object:
        col = self.cols[id(node)]
        if col.literal is not None:
            raw = col.const
            return raw
        raw = self._list(col.value)[r]
        if raw is None:
            return None
        if node.type in NUMERIC:
            return Fraction(raw, col.den)
        return raw

    def missing(self, node: ir.Node, r: int) -> set[str] | None:
        """The fields an unknown node needs; None when one is an element's field."""
        col = self.cols[id(node)]
        if col.literal is not None:
            return set()
        words = tuple(self._list(m)[r] for m in col.mask)
        if words not in self.decoded:
            labels = self.ev.labels.decode(words)
            paths = {label for label in labels if isinstance(label, str)}
            self.decoded[words] = None if len(paths) < len(labels) else paths
        found = self.decoded[words]
        return None if found is None else set(found)
