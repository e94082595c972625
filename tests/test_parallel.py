"""Checks spread over forked workers (policy.authoring.parallel): the same answers, in the
same order, as one process gives, and errors reach the caller."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from dsl.loader import load_catalogue
from policy.authoring.parallel import fork_map, jobs
from policy.authoring.properties import check_properties

FIXTURE = Path(__file__).resolve().parent / "fixtures/properties/grant.rules"


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def _fails(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


def test_results_come_back_in_order_from_other_processes_while_this_one_works() -> None:
    ran: list[int] = []
    results = fork_map(_square_and_pid, list(range(8)), workers=2, meanwhile=lambda: ran.append(1))
    assert [r for r, _ in results] == [n * n for n in range(8)]
    assert os.getpid() not in {pid for _, pid in results}
    assert ran == [1]


def test_one_job_runs_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUBSIDIA_JOBS", "1")
    assert jobs() == 1
    ran: list[int] = []
    results = fork_map(_square_and_pid, [1, 2, 3], meanwhile=lambda: ran.append(1))
    assert results == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]
    assert ran == [1]


def test_an_error_in_a_worker_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="three"):
        fork_map(_fails, [1, 2, 3, 4], workers=2)


def test_properties_checked_in_workers_answer_as_in_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUBSIDIA_PROPERTY_DB", "")  # deterministic searches
    catalogue, _ = load_catalogue(FIXTURE)
    day = dt.date(2026, 3, 1)
    monkeypatch.setenv("SUBSIDIA_JOBS", "1")
    alone = [r.as_json() for r in check_properties(catalogue, day)]
    monkeypatch.setenv("SUBSIDIA_JOBS", "2")
    shared = [r.as_json() for r in check_properties(catalogue, day)]
    assert shared == alone
    assert [r["name"] for r in alone] == sorted(catalogue.properties)
