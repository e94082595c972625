"""The vector backend: the catalogue at one date, evaluated over whole batches of records.

Each programme's conditions, amount and amount parts, and each exported definition, are
evaluated as polars columns (solver/vector/evaluate.py). What cannot be vectorised falls
back to the direct backend, which gives the same answers by construction (it is the
reference these answers are tested against, tests/test_vector_backend.py):

- a programme or definition using a construct the columns do not evaluate (found once,
  when the program is built, by evaluating it over no records) is answered per record
  by the direct backend;
- a record whose figures leave the exact integer range (a numerator past 2^62, a value
  whose denominator would pass 10^12), or with more than 64 elements in one list (element
  indexes are the bits of one integer), is answered wholly by the direct backend.

Both are counted per record (`VectorAnswers.fallback`) and reported by the engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from dsl import ir
from dsl.types import NUMERIC
from solver.answer import Answer, ProgrammeAnswer
from solver.native.direct import Context, DirectProgram, evaluate_node
from solver.native.resolve import ResolvedProgrammes
from solver.record import InputRecord
from solver.vector.evaluate import Col, Evaluator, Labels, Unvectorisable, collect_labels

# Records evaluated together. Each IR node keeps a column (about 1,700 for the whole
# catalogue) until its slice is answered: ~20 KB per record, so ~400 MB per slice.
SLICE = 20_000


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
        direct: DirectProgram | None = None,
    ) -> None:
        """`direct`: the same programmes and exports for the direct backend, when the
        caller holds one already (else one is built)."""
        super().__init__(catalogue, as_of, programmes, exports)
        self.direct = direct or DirectProgram(catalogue, as_of, programmes, exports)
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
        """Each record's answer, evaluated in slices of `SLICE` records: every node keeps
        its column until the slice is done, so memory grows with the slice, not the input."""
        if len(records) <= SLICE:
            return self._evaluate_slice(records)
        out = VectorAnswers([], [])
        for start in range(0, len(records), SLICE):
            part = self._evaluate_slice(records[start : start + SLICE])
            out.answers.extend(part.answers)
            out.fallback.extend(part.fallback)
        return out

    def _evaluate_slice(self, records: list[InputRecord]) -> VectorAnswers:
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
        not_vectorised = sum(pid in self.unsupported for pid in self.programmes)
        plan = self._plan(table)
        for r, record in enumerate(records):
            if r in ev.fallback_rows:  # the whole record from the direct backend
                answers.append(self.direct.evaluate([record])[0])
                fallback.append(len(self.programmes))
            else:
                answers.append(self._answer(r, record, plan))
                fallback.append(not_vectorised)
        return VectorAnswers(answers, fallback)

    def _answer(self, r: int, record: InputRecord, plan: _Plan) -> Answer:
        """The record's answer from the columns (programmes not vectorised: direct)."""
        answer = Answer()
        ctx: Context | None = None
        for pid, conditions, amount, parts in plan.programmes:
            if conditions is None:
                ctx = ctx or self.direct.context(record)
                answer.programmes[pid] = self.direct.programme_answer(ctx, pid)
                continue
            result = ProgrammeAnswer("unknown")
            decided_all = True
            for name, values, missing in conditions:
                value = values[r]
                if value is None:
                    decided_all = False
                    result.missing[name] = set(missing[r])
                else:
                    result.conditions[name] = "yes" if value else "no"
            if "no" in result.conditions.values():
                result.status = "ineligible"
            elif decided_all:
                result.status = "eligible"
            if amount is not None:
                values, missing = amount
                value = values[r]
                if value is None:
                    result.missing["amount"] = set(missing[r])
                else:
                    result.amount = value  # type: ignore[assignment]
            for part_name, values in parts:
                value = values[r]
                if value is not None:
                    result.parts[part_name] = value  # type: ignore[assignment]
            answer.programmes[pid] = result
        for qname, values, node in plan.exports:
            if values is None:
                ctx = ctx or self.direct.context(record)
                value = evaluate_node(node, ctx, ())
            else:
                value = values[r]
            if value is not None:
                answer.exports[qname] = value
        return answer

    def _plan(self, table: _Table) -> _Plan:
        """Every output's columns as lists, fetched once per slice (not once per record)."""
        plan = _Plan([], [])
        for pid in self.programmes:
            if pid in self.unsupported:
                plan.programmes.append((pid, None, None, []))
                continue
            conditions = [
                (name, table.values(node), table.missing(node))
                for name, node in self.conditions[pid]
            ]
            node = self.amounts[pid]
            amount = None if node is None else (table.values(node), table.missing(node))
            parts = [(name, table.values(node)) for name, node in self.parts[pid]]
            plan.programmes.append((pid, conditions, amount, parts))
        for qname, node in self.exports.items():
            values = None if qname in self.unsupported else table.values(node)
            plan.exports.append((qname, values, node))
        return plan


Values = list[object]
Missing = dict[int, set[str]]


@dataclass(slots=True)
class _Plan:
    # (programme, its conditions (None: not vectorised), amount, amount parts)
    programmes: list[
        tuple[
            str,
            list[tuple[str, Values, Missing]] | None,
            tuple[Values, Missing] | None,
            list[tuple[str, Values]],
        ]
    ]
    exports: list[tuple[str, Values | None, ir.Node]]


class _Table:
    """The records' frame read back column by column: each output node's values as a
    Python list, and the missing fields of the rows where it is unknown."""

    def __init__(self, ev: Evaluator, cols: dict[int, Col]) -> None:
        self.ev = ev
        self.cols = cols
        self.frame = ev.columns[()]
        self._values: dict[int, list[object]] = {}
        self._missing: dict[int, dict[int, set[str]]] = {}
        self.decoded: dict[tuple[int, ...], set[str]] = {}

    def values(self, node: ir.Node) -> list[object]:
        found = self._values.get(id(node))
        if found is None:
            col = self.cols[id(node)]
            if col.literal is not None:
                found = [col.const] * len(self.ev.records)
            else:
                raw: list[object] = self.frame[col.value].to_list()
                if node.type in NUMERIC:
                    den = col.den
                    raw = [None if x is None else Fraction(x, den) for x in raw]  # type: ignore[call-overload]
                found = raw
            self._values[id(node)] = found
        return found

    def missing(self, node: ir.Node) -> dict[int, set[str]]:
        """Per row where the node is unknown: the labels by bit, element fields by index."""
        found = self._missing.get(id(node))
        if found is not None:
            return found
        found = self._missing[id(node)] = {}
        col = self.cols[id(node)]
        if col.literal is not None:
            return found
        values = self.values(node)
        rows = [r for r, v in enumerate(values) if v is None]
        if not rows:
            return found
        words_count = self.ev.labels.words
        words = [self.frame[col.mask[w]].gather(rows).to_list() for w in range(words_count)]
        elements = [
            (key, self.frame[name].gather(rows).to_list())
            for key, name in col.mask.items()
            if isinstance(key, tuple)
        ]
        for k, r in enumerate(rows):
            key = tuple(w[k] for w in words)
            labels = self.decoded.get(key)
            if labels is None:
                labels = self.decoded[key] = self.ev.labels.decode(key)
            paths = set(labels)
            for (collection, field), indexes in elements:
                bits = indexes[k]
                if bits:
                    paths.update(
                        f"{collection}[{i}].{field}"
                        for i in range(bits.bit_length())
                        if bits >> i & 1
                    )
            found[r] = paths
        return found
