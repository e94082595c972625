"""`subsidia screen --table LIST=FILE`: lists of records as separate tables joined on
company.id give the answers their JSON cells give, in any of the four formats; table rows
with an unknown company.id or a bad cell are rejected naming the table, its row and the
field; a bad table is one message, exit 2, nothing written."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from policy.cli.exit_codes import BAD_INPUT, ROWS_REJECTED
from policy.screening.run import run_screen
from policy.screening.tables import TableSpec
from policy.screening.work import Settings
from tests.cli import invoke

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "examples" / "screening" / "companies.csv"
AS_OF = dt.date(2026, 3, 1)
LISTS = ("company.enterprises", "company.aid", "project.costs")


def _split(tmp_path: Path, formats: dict[str, str]) -> tuple[Path, list[TableSpec]]:
    """The example companies without their JSON list columns, and those lists as tables
    (in the format `formats` gives each), one row per record with its company.id."""
    with CSV.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    keep = [i for i, h in enumerate(header) if h not in LISTS]
    main = tmp_path / "companies.csv"
    with main.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([header[i] for i in keep])
        writer.writerows([[row[i] for i in keep] for row in rows])
    specs = []
    for path in LISTS:
        column = header.index(path)
        records = [
            {"company.id": row[0], **item}
            for row in rows
            if row[column]
            for item in json.loads(row[column], parse_float=Decimal)
        ]
        table = tmp_path / f"{path.split('.')[1]}{formats[path]}"
        _write(table, records)
        specs.append(TableSpec(path, table))
    return main, specs


def _text(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value) if isinstance(value, list | dict) else str(value)


def _write(path: Path, records: list[dict]) -> None:
    columns = list(dict.fromkeys(k for r in records for k in r))
    cells = [[_text(r.get(c)) for c in columns] for r in records]
    if path.suffix == ".jsonl":
        lines = [json.dumps(r, default=str) for r in records]
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    elif path.suffix == ".parquet":
        pl.DataFrame(cells, schema=columns, orient="row").write_parquet(path)
    elif path.suffix == ".xlsx":
        book = Workbook()
        book.active.append(columns)
        for row in cells:
            book.active.append(row)
        book.save(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([columns, *[[c or "" for c in row] for row in cells]])


@pytest.mark.parametrize(
    "formats",
    [
        {"company.enterprises": ".csv", "company.aid": ".parquet", "project.costs": ".xlsx"},
        {"company.enterprises": ".jsonl", "company.aid": ".csv", "project.costs": ".parquet"},
    ],
)
def test_tables_joined_on_company_id_give_what_json_cells_give(
    tmp_path: Path, formats: dict[str, str]
) -> None:
    main, specs = _split(tmp_path, formats)
    settings = Settings(AS_OF, ("kmo_groeisubsidie", "bel_sme", "wallonia_rd_project"), None)
    run_screen(CSV, tmp_path / "cells.csv", settings, workers=1)
    summary = run_screen(main, tmp_path / "tables.csv", settings, workers=1, tables=specs)
    assert (tmp_path / "cells.csv").read_bytes() == (tmp_path / "tables.csv").read_bytes()
    assert summary.rejected == 0


def test_bad_table_rows_are_rejected_naming_the_table_row_and_field(tmp_path: Path) -> None:
    main, specs = _split(tmp_path, dict.fromkeys(LISTS, ".csv"))
    costs = tmp_path / "costs.csv"
    lines = costs.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("amount")] = "lots"  # row 2: the first company's first cost line
    stray = ["0999.999.999" if h == "company.id" else "" for h in header]
    stray[header.index("category")] = "advice"
    costs.write_text("\n".join([*lines[:2], *lines[2:], ",".join(stray)]).replace(
        lines[1], ",".join(first)) + "\n", encoding="utf-8")  # fmt: skip
    errors, out = tmp_path / "errors.csv", tmp_path / "out.csv"
    result = invoke(
        "screen", str(main), "--out", str(out), "--errors", str(errors), "--as-of", "2026-03-01",
        "--programme", "kmo_groeisubsidie",
        *(a for s in specs for a in ("--table", f"{s.list_path}={s.path}")),
    )  # fmt: skip
    assert result.exit_code == ROWS_REJECTED, result.output
    rejected = pl.read_csv(errors, infer_schema=False).rows()
    assert rejected == [
        (str(costs), "2", "project.costs[0].amount", "expected a number, got 'lots'"),
        (
            str(costs),
            str(len(lines) + 1),
            "company.id",
            "no row of the input has company.id '0999.999.999'",
        ),
    ]
    assert "2 row(s) rejected" in result.stderr
    written = pl.read_csv(out, infer_schema=False)["company.id"].to_list()
    assert "0712.345.678" not in written  # the company of the bad cost line


@pytest.mark.parametrize(
    ("table", "content", "message"),
    [
        (
            "company.accounts=acc.csv",
            "company.id,year,turnovr\n1,2024,5\n",
            "acc.csv: column 3 ('turnovr'): 'turnovr' is not a field of company.accounts "
            "(nor company.id); did you mean 'turnover'?",
        ),
        ("company.accounts=acc.csv", "year,turnover\n2024,5\n", "acc.csv: no company.id column"),
        (
            "company.account=acc.csv",
            "company.id\n",
            "--table: 'company.account' is not a list of records; expected one of",
        ),
        ("company.accounts", "", "--table: expected LIST=FILE"),
        ("company.accounts=missing.csv", None, "missing.csv: no such file"),
    ],
)
def test_a_bad_table_is_one_message_exit_2_and_nothing_written(
    tmp_path: Path, table: str, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "acc.csv").write_text(content, encoding="utf-8")
    main = tmp_path / "in.csv"
    main.write_text("company.id,company.staff\n1,5\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    table = table.replace("acc.csv", str(tmp_path / "acc.csv"))
    table = table.replace("missing.csv", str(tmp_path / "missing.csv"))
    result = invoke("screen", str(main), "--out", str(out), "--table", table)
    assert result.exit_code == BAD_INPUT, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_list_given_twice_or_with_json_lines_input_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "aid.csv"
    table.write_text("company.id,programme\n", encoding="utf-8")
    main = tmp_path / "in.csv"
    main.write_text("company.id,company.aid\n1,\n", encoding="utf-8")
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"company": {"id": "1"}}\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    both = invoke("screen", str(main), "--out", str(out), "--table", f"company.aid={table}")
    assert both.exit_code == BAD_INPUT
    assert "company.aid is a column of" in both.stderr
    jsonl = invoke("screen", str(lines), "--out", str(out), "--table", f"company.aid={table}")
    assert jsonl.exit_code == BAD_INPUT
    assert "JSON Lines input holds whole profiles" in jsonl.stderr
    assert not out.exists()


def test_explain_joins_the_tables_too(tmp_path: Path) -> None:
    main, specs = _split(tmp_path, dict.fromkeys(LISTS, ".csv"))
    args = ("--explain", "0712.345.678", "--programme", "kmo_groeisubsidie")
    args += ("--as-of", "2026-03-01")
    tables = [a for s in specs for a in ("--table", f"{s.list_path}={s.path}")]
    joined = invoke("screen", str(main), *args, *tables)
    whole = invoke("screen", str(CSV), *args)
    assert joined.exit_code == whole.exit_code == 0, joined.output
    assert joined.stdout == whole.stdout
