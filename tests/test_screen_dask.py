"""`subsidia screen --dask`: partitioned Parquet screened on a LocalCluster of 2 workers
writes byte for byte what the single-process run writes, rejected rows numbered across
partitions; a bad input or scheduler is one message, exit 2, nothing written."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from benchmarks.screening import write_csv
from policy.cli.exit_codes import BAD_INPUT, ROWS_REJECTED
from policy.screening import cluster
from policy.screening.run import run_screen
from policy.screening.work import Settings
from tests.cli import invoke
from tests.test_screen_tables import LISTS

AS_OF = dt.date(2026, 3, 1)
PROGRAMMES = ("kmo_groeisubsidie", "bel_sme")


def _companies(tmp_path: Path, n: int, bad: int = 26) -> pl.DataFrame:
    """`n` generated companies (benchmarks/generate.py) as text cells; spreadsheet row
    `bad` has a staff that is not a number (26: Parquet position 25, a later partition)."""
    source = tmp_path / "companies.csv"
    write_csv(source, n)
    with source.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    rows[bad - 2][header.index("company.staff")] = "twelve"
    return pl.DataFrame([[c or None for c in r] for r in rows], schema=header, orient="row")


def _on_local_cluster(
    parts: Path, out: Path, errors: Path, programmes: tuple[str, ...], *extra: str
):  # type: ignore[no-untyped-def]
    """`subsidia screen PARTS --dask --workers 2` as a user runs it."""
    return invoke(
        "screen", str(parts), "--out", str(out), "--errors", str(errors), "--dask",
        "--workers", "2", "--as-of", AS_OF.isoformat(),
        *(a for p in programmes for a in ("--programme", p)), *extra,
    )  # fmt: skip


def test_a_local_cluster_of_two_workers_writes_what_one_process_writes(tmp_path: Path) -> None:
    """The one test that starts a cluster (about 10 s of it is the cluster's start-up)."""
    frame = _companies(tmp_path, 30)
    single = tmp_path / "companies.parquet"
    frame.write_parquet(single)
    parts = tmp_path / "parts"
    parts.mkdir()
    for index, start in enumerate(range(0, 30, 12)):
        frame.slice(start, 12).write_parquet(parts / f"part-{index:03}.parquet")
    settings = Settings(AS_OF, PROGRAMMES, None)
    one = run_screen(single, tmp_path / "one.csv", settings, workers=1, errors=tmp_path / "e1.csv")
    out, errors = tmp_path / "dask.csv", tmp_path / "e2.csv"
    result = _on_local_cluster(parts, out, errors, PROGRAMMES)
    assert result.exit_code == ROWS_REJECTED, result.output
    assert f"screened 29 companies: {one.written} rows in" in result.stderr
    assert (tmp_path / "one.csv").read_bytes() == out.read_bytes()
    assert (tmp_path / "e1.csv").read_bytes() == errors.read_bytes()
    assert errors.read_text().splitlines()[1].startswith("25,company.staff,")  # position 25
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "companies.csv", "companies.parquet", "dask.csv", "e1.csv", "e2.csv", "one.csv", "parts",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("in.csv", ["--dask"], "in.csv: --dask reads Parquet: a .parquet file or a folder of them"),
        ("empty", ["--dask"], "empty: the folder holds no .parquet files"),
        (
            "in.parquet",
            ["--scheduler", "tcp://127.0.0.1:9"],
            "--scheduler: cannot connect to the Dask scheduler at tcp://127.0.0.1:9",
        ),
    ],
)
def test_a_bad_input_or_scheduler_is_one_message_and_exit_2(
    tmp_path: Path, name: str, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)  # nothing listens there: fail fast
    (tmp_path / "in.csv").write_text("company.id\n1\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    pl.DataFrame({"company.id": ["1"]}).write_parquet(tmp_path / "in.parquet")
    out = tmp_path / "out.csv"
    result = invoke("screen", str(tmp_path / name), "--out", str(out), *args)
    assert result.exit_code == BAD_INPUT, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_without_the_dask_extra_the_message_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name)
    )
    pl.DataFrame({"company.id": ["1"]}).write_parquet(tmp_path / "in.parquet")
    out = tmp_path / "out.csv"
    result = invoke("screen", str(tmp_path / "in.parquet"), "--out", str(out), "--dask")
    assert result.exit_code == BAD_INPUT, result.output
    assert "--dask: needs dask, distributed and pyarrow: pip install 'subsidia[dask]'" in (
        result.stderr
    )
    assert not out.exists()


def test_typed_cells_reach_the_chunks_as_the_single_process_reader_gives_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through dask's pandas partitions (Arrow types) to polars: integers with nulls stay
    integers, decimals exact, dates, booleans and list columns as they were."""
    import dask.dataframe as dd

    from policy.screening.reading import Chunk, open_reader

    source = tmp_path / "typed.parquet"
    pl.DataFrame(
        {
            "company.id": ["1", "2"],
            "company.staff": [12, None],
            "company.turnover": [Decimal("1999999.99"), None],
            "company.founded": [dt.date(2020, 1, 2), None],
            "company.insolvency": [False, None],
            "company.nace": [["62.01", "01.11"], None],
            "project.costs": [[{"category": "advice", "amount": Decimal("20000.50")}], None],
        },
        schema_overrides={"company.turnover": pl.Decimal(12, 2)},
    ).write_parquet(source)
    reader = open_reader(source, {}, 10)
    expected = [row for chunk in reader.chunks() for row in chunk.rows]
    seen: list[Chunk] = []

    def spy(chunk: Chunk, settings: Settings) -> cluster.ChunkResult:
        seen.append(chunk)
        return cluster.ChunkResult([], [], len(chunk.rows))

    frame = dd.read_parquet([str(source)], dtype_backend="pyarrow", index=False).compute()
    monkeypatch.setattr(cluster, "screen_chunk", spy)
    cluster.screen_partition(frame, reader.columns, Settings(AS_OF, PROGRAMMES, None), 10)
    assert [row for chunk in seen for row in chunk.rows] == expected


def test_tables_joined_on_a_local_cluster_give_what_one_process_gives(tmp_path: Path) -> None:
    """`--table` with `--dask`: the tables are read here and sent to the workers once; a
    table row no company of any partition takes is still reported, once."""
    from tests.test_screen_tables import _split

    main, specs = _split(tmp_path, dict.fromkeys(LISTS, ".csv"))
    table = specs[0].path  # a row for a company no partition has
    width = len(table.read_text(encoding="utf-8").splitlines()[0].split(","))
    with table.open("a", encoding="utf-8") as f:
        f.write("0999.999.999" + "," * (width - 1) + "\n")
    frame = pl.read_csv(main, infer_schema=False)
    parts = tmp_path / "parts"
    parts.mkdir()
    half = (frame.height + 1) // 2
    for index, start in enumerate((0, half)):
        frame.slice(start, half).write_parquet(parts / f"part-{index}.parquet")
    programmes = ("kmo_groeisubsidie", "bel_sme", "wallonia_rd_project")
    settings = Settings(AS_OF, programmes, None)
    one = run_screen(
        main, tmp_path / "one.csv", settings, workers=1, errors=tmp_path / "e1.csv", tables=specs
    )
    out, errors = tmp_path / "dask.csv", tmp_path / "e2.csv"
    tables = [a for s in specs for a in ("--table", f"{s.list_path}={s.path}")]
    result = _on_local_cluster(parts, out, errors, programmes, *tables)
    assert result.exit_code == ROWS_REJECTED, result.output
    assert one.rejected == 1 and (tmp_path / "one.csv").read_bytes() == out.read_bytes()
    assert (tmp_path / "e1.csv").read_bytes() == errors.read_bytes()
    assert "no row of the input has company.id '0999.999.999'" in errors.read_text()
