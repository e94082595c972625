"""A long-running process (the language server today, an HTTP service next) edits rule
files and re-checks profiles again and again: its memory must stay bounded. Every memo
over IR nodes belongs to a program or an evaluation context and dies with it
(docs/architecture.md, "One traversal"); none is a module global keyed by `id(node)`.

Each round edits a rule file's text in a temporary copy (a new cap, so every round's IR
is new), reloads the catalogue from it without any cache, builds the Python backends'
programs and checks a profile. The traced memory after the last round may exceed the
one after the warm-up by only a small bound. `SUBSIDIA_MEMORY_ROUNDS` changes the number
of rounds (default 150: a leak of one round's IR would pass the bound within 100)."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

from dsl.loader import load_catalogue
from policy.inputs.loading import load_profile
from solver.native.csp import CspProgram
from solver.native.direct import DirectProgram

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "programmes"
EDITED = "flanders/kmo_haalbaarheidsstudie.rules"
CAP = "2016-04-01..2017-12-31 = 25_000 EUR"
DAY = dt.date(2017, 6, 1)
WARM_UP = 50
BOUND = 256 * 1024  # bytes: far below one round's IR (several hundred KB)


def _round(folder: Path, i: int, record: object) -> str:
    text = (RULES / EDITED).read_text(encoding="utf-8")
    assert CAP in text
    (folder / EDITED).write_text(text.replace(CAP, CAP.replace("25_000", f"{25_000 + i}")))
    catalogue, _ = load_catalogue(folder)  # raises on an error
    direct = DirectProgram(catalogue, DAY).evaluate([record])[0]
    csp = CspProgram(catalogue, DAY).evaluate([record])[0]
    status = direct.programmes["kmo_haalbaarheidsstudie"].status
    assert status == csp.programmes["kmo_haalbaarheidsstudie"].status
    return status


def measure(folder: Path, rounds: int) -> int:
    """Bytes of traced memory gained between the end of the warm-up and the last round."""
    (folder / "eu").mkdir()
    (folder / "flanders").mkdir()
    for used in ("sme", "budget"):  # what the edited programme uses: eu_sme, costing
        shutil.copy(RULES / f"eu/{used}.rules", folder / "eu")
    record = load_profile(ROOT / "examples/profiles/flemish_growth.yaml").to_record()
    tracemalloc.start()
    try:
        for i in range(rounds):
            _round(folder, i, record)
            if i == WARM_UP - 1:
                gc.collect()
                after_warm_up = tracemalloc.get_traced_memory()[0]
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - after_warm_up
    finally:
        tracemalloc.stop()


def test_edit_and_check_rounds_keep_memory_bounded(tmp_path: Path) -> None:
    # A fresh process, as a server's would be: what other tests left in this one
    # (hypothesis' state, caches they filled) is not the rounds' to account for.
    rounds = int(os.environ.get("SUBSIDIA_MEMORY_ROUNDS", "150"))
    code = (
        "import sys; from pathlib import Path; from tests.test_memory_bounded import measure; "
        f"print(measure(Path(sys.argv[1]), {rounds}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    growth = int(done.stdout.split()[-1])
    print(f"{rounds} rounds: traced memory grew {growth / 1024:.0f} KiB after round {WARM_UP}")
    assert growth < BOUND, f"memory grew {growth} bytes over {rounds - WARM_UP} rounds"


def test_what_is_derived_from_a_catalogue_dies_with_it() -> None:
    """A programme's cost categories and the programs compiled from a catalogue are kept on
    it (`ir.Derived`), not in a module global: once the catalogue is gone, so are they;
    a pickled copy (the disk cache, screening's workers) starts without them."""
    import pickle
    import weakref

    from policy.funding.stacking import _categories
    from policy.planner.programme_terms import direct_program

    catalogue, _ = load_catalogue(RULES)
    programme = catalogue.programmes["kmo_groeisubsidie"]
    assert _categories(catalogue, programme, DAY) is _categories(catalogue, programme, DAY)
    assert len(catalogue.derived) == 1
    assert len(pickle.loads(pickle.dumps(catalogue)).derived) == 0
    derived = weakref.ref(catalogue.derived)
    del catalogue, programme
    gc.collect()
    assert derived() is None

    from policy import engine

    kept = engine.catalogue()
    first = direct_program(str(engine.rules_root()), DAY, "kmo_groeisubsidie")
    assert direct_program(str(engine.rules_root()), DAY, "kmo_groeisubsidie") is first
    key = (DAY, "kmo_groeisubsidie", ())
    assert kept.derived.get("planner direct program", key, list) is first
