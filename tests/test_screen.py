"""`subsidia screen` / `policy.screen`: every format in and out gives the answers `check`
gives; bad rows are rejected with row and field path while the run goes on; a bad file
stops it with one message and nothing written; workers do not change the output; an
interrupted or failed run leaves nothing half-written."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook

import policy
from policy.cli.exit_codes import BAD_INPUT, INTERRUPTED, OK, ROWS_REJECTED
from policy.errors import InputError
from policy.screening import run
from policy.screening.run import run_screen
from policy.screening.work import OUTPUT_COLUMNS, Settings
from tests.cli import invoke

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "screening"
CSV = EXAMPLES / "companies.csv"
JSONL = EXAMPLES / "companies.jsonl"
AS_OF = dt.date(2026, 3, 1)
FORMATS = (".csv", ".parquet", ".jsonl", ".xlsx")


def _profiles() -> list[dict]:
    lines = JSONL.read_text(encoding="utf-8").splitlines()
    return [json.loads(line, parse_float=Decimal) for line in lines]


def _expected() -> list[tuple[str, str, str, str | None, str | None]]:
    """What `policy.check(profile).as_json()` says, per company in input order and per
    programme in catalogue order (the output's order)."""
    rows = []
    for profile in _profiles():
        report = policy.check(profile, AS_OF)
        answers = {r["programme"]: r for r in report.as_json()["results"]}
        for result in report.checked.results:
            r = answers[result.programme]
            missing = ";".join(r["missing"]) or None
            rows.append(
                (profile["company"]["id"], r["programme"], r["status"], r["amount"], missing)
            )
    return rows


def _csv_cells() -> tuple[list[str], list[list[str]]]:
    with CSV.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


def _typed(text: str) -> object:
    """A spreadsheet user's cell: numbers as numbers where they are plain numbers."""
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text or None
    if text.count(".") > 1 or (text.startswith("0") and len(text) > 1 and "." not in text):
        return text
    return int(number) if number == number.to_integral_value() else float(text)


def _input(tmp_path: Path, suffix: str) -> Path:
    """The example companies in the format of `suffix` (CSV and JSON Lines as committed)."""
    if suffix == ".csv":
        return CSV
    if suffix == ".jsonl":
        return JSONL
    header, rows = _csv_cells()
    path = tmp_path / f"companies{suffix}"
    if suffix == ".parquet":
        frame = pl.DataFrame(
            [[c or None for c in row] for row in rows], schema=header, orient="row"
        )
        frame.write_parquet(path)
    else:
        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            # NACE codes and ids stay text (a number would lose leading zeros and dots).
            sheet.append(
                [
                    c if h in ("company.nace", "company.id") else _typed(c)
                    for h, c in zip(header, row, strict=True)
                ]
            )
        book.save(path)
    return path


def _read(path: Path) -> list[tuple]:
    """The rows of an output or errors file, whatever its format."""
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        rows = (
            list(book["results"].iter_rows(values_only=True))
            if "results" in book
            else list(book.worksheets[0].iter_rows(values_only=True))
        )
        book.close()
        width = len(rows[0])  # read-only mode drops empty cells at a row's end
        return [tuple(r) + (None,) * (width - len(r)) for r in rows[1:]]
    if path.stat().st_size == 0:
        return []
    reader = {
        ".csv": lambda p: pl.read_csv(p, infer_schema=False),
        ".parquet": pl.read_parquet,
        ".jsonl": pl.read_ndjson,
    }[path.suffix]
    return reader(path).rows()


@pytest.mark.parametrize("source", FORMATS)
def test_every_input_format_gives_the_answers_check_gives(tmp_path: Path, source: str) -> None:
    out = tmp_path / "results.csv"
    summary = policy.screen(_input(tmp_path, source), out, AS_OF)
    assert (summary.screened, summary.rejected) == (len(_profiles()), 0)
    assert _read(out) == _expected()


@pytest.mark.parametrize("target", FORMATS)
def test_every_output_format_holds_the_same_rows(tmp_path: Path, target: str) -> None:
    out = tmp_path / f"results{target}"
    policy.screen(CSV, out, AS_OF)
    assert _read(out) == _expected()
    if target == ".parquet":
        assert pl.read_parquet_schema(out) == dict.fromkeys(OUTPUT_COLUMNS, pl.String)


def test_the_excel_output_has_a_summary_sheet(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    policy.screen(CSV, out, AS_OF, programmes=["kmo_groeisubsidie"])
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["summary", "results"]
    summary = [tuple(r) for r in book["summary"].iter_rows(values_only=True)]
    book.close()
    statuses = [r[2] for r in _expected() if r[1] == "kmo_groeisubsidie"]
    assert summary[0] == ("programme", "eligible", "unknown", "ineligible")
    assert summary[1] == ("kmo_groeisubsidie", *(statuses.count(s) for s in run.STATUSES))
    assert ("companies screened", len(_profiles())) in summary
    assert ("rows rejected (errors)", 0) in summary


def test_amounts_are_exact_decimal_text(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    policy.screen(CSV, out, AS_OF, programmes="kmo_groeisubsidie")
    amounts = {r[0]: r[3] for r in _read(out)}
    assert amounts["0712.345.678"] == "40000.00"
    assert all(
        a is None or Decimal(a) == Decimal(a).quantize(Decimal("0.01")) for a in amounts.values()
    )


def test_a_mapping_file_renames_the_users_headers(tmp_path: Path) -> None:
    own = EXAMPLES / "companies_own_headers.csv"
    mapped = tmp_path / "mapped.csv"
    policy.screen(own, mapped, AS_OF, mapping=EXAMPLES / "mapping.yaml")
    # The same table with the field paths as headers (the ignored column dropped).
    renamed = tmp_path / "renamed.csv"
    mapping = {
        "Ondernemingsnummer": "company.id",
        "Naam": "company.name",
        "Gewest": "company.region",
        "Rechtsvorm": "company.legal_form",
        "NACE-codes": "company.nace",
        "Personeel (VTE)": "company.staff",
        "Omzet": "company.turnover",
        "Balanstotaal": "company.balance_sheet",
        "Eigen vermogen": "company.equity",
    }
    frame = pl.read_csv(own, infer_schema=False).drop("Opmerkingen").rename(mapping)
    frame.write_csv(renamed)
    direct = tmp_path / "direct.csv"
    policy.screen(renamed, direct, AS_OF)
    assert mapped.read_bytes() == direct.read_bytes()
    assert {r[0] for r in _read(mapped)} == {"0712.345.678", "0623.111.222", "0456.789.123"}


BAD_ROWS = """company.id,company.staff,company.region,company.enterprises,project.costs
ok-1,12,flanders,,
bad-staff,twelve,flanders,,
bad-region,5,flandres,,
bad-json,3,wallonia,"[{""id"": 1",
,4,flanders,,
bad-share,3,flanders,"[{""id"": ""x"", ""share"": 120, ""direction"": ""holds""}]",
bad-hire,3,flanders,,"[{""category"": ""hire"", ""amount"": 10}]"
ok-2,30,wallonia,,
"""


def test_bad_rows_go_to_the_errors_file_and_the_run_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "companies.csv"
    source.write_text(BAD_ROWS, encoding="utf-8")
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    result = invoke(
        "screen",
        str(source),
        "--out",
        str(out),
        "--errors",
        str(errors),
        "--as-of",
        "2026-03-01",
        "--programme",
        "kmo_groeisubsidie",
    )
    assert result.exit_code == ROWS_REJECTED
    assert [r[0] for r in _read(out)] == ["ok-1", "ok-2"]
    assert _read(errors) == [
        ("3", "company.staff", "expected a number, got 'twelve'"),
        (
            "4",
            "company.region",
            "unknown region 'flandres'; expected one of brussels, flanders, wallonia",
        ),
        (
            "5",
            "company.enterprises",
            "invalid JSON in the cell at column 10: Expecting ',' delimiter",
        ),
        ("6", "company.id", "required field missing"),
        ("7", "company.enterprises[0].share", "must be at most 100 (a percentage)"),
        ("8", "project.costs[0].gross_salary", "required for a hire line"),
    ]
    assert result.stderr == (
        f"screened 2 companies: 2 rows in {out}; 6 row(s) rejected, listed in {errors}\n"
    )


def test_without_an_errors_file_the_first_bad_rows_are_printed(tmp_path: Path) -> None:
    source = tmp_path / "companies.csv"
    source.write_text(BAD_ROWS, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = invoke("screen", str(source), "--out", str(out), "--programme", "kmo_groeisubsidie")
    assert result.exit_code == ROWS_REJECTED
    lines = result.stderr.splitlines()
    assert lines[0] == f"{source}: row 3: company.staff: expected a number, got 'twelve'"
    assert len(lines) == 7 and lines[-1].endswith("6 row(s) rejected")


def test_the_errors_file_takes_every_format(tmp_path: Path) -> None:
    source = tmp_path / "companies.csv"
    source.write_text(BAD_ROWS, encoding="utf-8")
    for suffix in FORMATS:
        errors = tmp_path / f"errors{suffix}"
        policy.screen(source, tmp_path / "out.csv", AS_OF, "kmo_groeisubsidie", errors=errors)
        rows = _read(errors)
        assert [(int(r[0]), r[1]) for r in rows][:2] == [
            (3, "company.staff"),
            (4, "company.region"),
        ]


def test_jsonl_rows_are_located_by_line(tmp_path: Path) -> None:
    source = tmp_path / "companies.jsonl"
    good = JSONL.read_text(encoding="utf-8").splitlines()[0]
    source.write_text(
        f'{good}\n\n{{"company": {{"id": "x", "staff": -1}}}}\n{{"company": \n', encoding="utf-8"
    )
    errors = tmp_path / "errors.csv"
    summary = policy.screen(source, tmp_path / "out.csv", AS_OF, errors=errors)
    assert (summary.screened, summary.rejected) == (1, 2)
    assert _read(errors) == [
        ("3", "company.staff", "must not be negative"),
        ("4", "column 13", "invalid JSON: Expecting value"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "missing.csv: no such file"),
        (
            "companies.txt",
            "x",
            "companies.txt: the input must be a .csv, .parquet, .jsonl or .xlsx file, not .txt",
        ),
        (
            "typo.csv",
            "company.id,company.turnovr\n1,2\n",
            "typo.csv: column 2 ('company.turnovr'): 'company.turnovr' is not a profile field "
            "path; did you mean 'company.turnover'? (or rename it with --mapping)",
        ),
        (
            "twice.csv",
            "company.id,company.staff,company.staff\n1,2,3\n",
            "twice.csv: column 3 ('company.staff'): company.staff is already given by column 2 "
            "('company.staff')",
        ),
        (
            "noid.csv",
            "company.staff\n2\n",
            "noid.csv: no company.id column: every row needs the company's id",
        ),
        ("empty.csv", "", "empty.csv: the file is empty; expected a header row"),
        (
            "ragged.csv",
            "company.id,company.staff\n1,2\n3,4,5\n",
            "ragged.csv: row 3: 3 fields where the header has 2",
        ),
        (
            "latin1.csv",
            b"company.id,company.name\n1,Caf\xe9\n",
            "latin1.csv: line 2, column 6: not UTF-8 text",
        ),
        ("fake.parquet", "company.id\n1\n", "fake.parquet: not a Parquet file: "),
        ("fake.xlsx", "company.id\n1\n", "fake.xlsx: not an Excel workbook (.xlsx): "),
    ],
)
def test_a_bad_input_file_is_one_message_exit_2_and_nothing_written(
    tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    source = tmp_path / "in" / name
    source.parent.mkdir()
    if isinstance(content, bytes):
        source.write_bytes(content)
    elif content is not None:
        source.write_text(content, encoding="utf-8")
    out = tmp_path / "out" / "results.csv"
    out.parent.mkdir()
    result = invoke(
        "screen", str(source), "--out", str(out), "--errors", str(out.parent / "errors.csv")
    )
    assert result.exit_code == BAD_INPUT
    assert result.stderr.startswith(f"{tmp_path}/in/{message}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert list(out.parent.iterdir()) == []  # no output, no errors file, no temporary file


def test_bad_options_are_one_message_and_exit_2(tmp_path: Path) -> None:
    for args, message in [
        (["--out", str(tmp_path / "r.txt")], "the input must be"),
        (["--out", str(tmp_path / "r.csv"), "--workers", "0"], "--workers: '0' is not a number"),
        (["--out", str(tmp_path / "r.csv"), "--programme", "kmo_groei"], "unknown programme"),
        (["--out", str(tmp_path / "nowhere" / "r.csv")], "its folder does not exist"),
        (["--out", str(CSV)], "--out: is the input file"),
        (
            ["--out", str(tmp_path / "r.csv"), "--errors", str(tmp_path / "r.csv")],
            "--errors: must be another file",
        ),
        (["--out", str(tmp_path / "r.csv"), "--mapping", str(EXAMPLES / "mapping.yaml")], None),
    ]:
        source = JSONL if message is None else CSV
        if args[1].endswith(".txt"):
            source = tmp_path / "in.txt"
        result = invoke("screen", str(source), *args)
        assert result.exit_code == BAD_INPUT, result.output
        assert (message or "--mapping renames table columns") in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_two_workers_write_what_one_writes(tmp_path: Path) -> None:
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    settings = Settings(AS_OF, ("kmo_groeisubsidie", "kmo_portefeuille", "bel_sme"), None)
    first = run_screen(CSV, one, settings, workers=1, chunk_rows=2)
    second = run_screen(CSV, two, settings, workers=2, chunk_rows=2)
    assert (first.workers, second.workers) == (1, 2)  # the second ran in a pool
    assert one.read_bytes() == two.read_bytes()
    assert first.counts == second.counts


def test_a_file_smaller_than_one_batch_is_shared_among_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vector backend's batch (10,000 rows) would make a smaller file one chunk, done
    by one worker: the chunks are cut so that each worker gets a share."""
    assert run.shared_chunk(10_000, 10_000, 2) == 5_000
    assert run.shared_chunk(10_000, 10_001, 2) == 5_001
    assert run.shared_chunk(512, 10_000, 2) == 512
    assert run.shared_chunk(10_000, 500, 2) == run.MIN_SHARE  # one chunk, no workers
    monkeypatch.setattr(run, "MIN_SHARE", 1)  # the example file is small
    assert run.shared_chunk(10_000, 3, 8) == 1
    sizes: list[int] = []
    real = run._results

    def counted(chunks, settings, workers, summary):  # type: ignore[no-untyped-def]
        for chunk in chunks:
            sizes.append(len(chunk.rows))
            yield from real(iter([chunk]), settings, 1, summary)

    monkeypatch.setattr(run, "_results", counted)
    settings = Settings(AS_OF, ("kmo_groeisubsidie",), None, "vector")
    rows = sum(1 for _ in CSV.open(encoding="utf-8")) - 1
    run_screen(CSV, tmp_path / "out.csv", settings, workers=2, chunk_rows=10_000)
    assert sizes == [-(-rows // 2), rows // 2]


def test_a_failure_mid_run_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, errors = tmp_path / "results.parquet", tmp_path / "errors.xlsx"
    out.write_bytes(b"the previous results")
    calls = []
    real = run.screen_chunk

    def failing(chunk, settings):
        calls.append(chunk)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(chunk, settings)

    monkeypatch.setattr(run, "screen_chunk", failing)
    settings = Settings(AS_OF, ("kmo_groeisubsidie",), None)
    with pytest.raises(KeyboardInterrupt):
        run_screen(CSV, out, settings, workers=1, errors=errors, chunk_rows=2)
    assert len(calls) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.parquet"]
    assert out.read_bytes() == b"the previous results"


def test_an_interrupt_exits_130_with_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(chunk, settings):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "screen_chunk", interrupted)
    result = invoke("screen", str(CSV), "--out", str(tmp_path / "r.xlsx"))
    assert (result.exit_code, result.stderr) == (INTERRUPTED, "interrupted: nothing written\n")
    assert list(tmp_path.iterdir()) == []


def test_progress_is_told_rows_done_and_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    settings = Settings(AS_OF, ("kmo_groeisubsidie",), None)
    run_screen(
        CSV,
        tmp_path / "r.csv",
        settings,
        chunk_rows=3,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(0, 8), (3, 8), (6, 8), (8, 8)]


def test_the_command_prints_a_summary_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    result = invoke("screen", str(CSV), "--out", str(out), "--as-of", "2026-03-01")
    assert result.exit_code == OK
    count = len(_profiles())
    assert result.stderr == f"screened {count} companies: {len(_expected())} rows in {out}\n"
    assert result.stdout == ""


def test_an_empty_table_writes_an_empty_result(tmp_path: Path) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("company.id,company.staff\n", encoding="utf-8")
    for suffix in FORMATS:
        out = tmp_path / f"out{suffix}"
        summary = policy.screen(source, out, AS_OF)
        assert summary.rows == 0 and _read(out) == []


def test_typed_parquet_cells_are_read_exactly(tmp_path: Path) -> None:
    source = tmp_path / "typed.parquet"
    pl.DataFrame(
        {
            "company.id": ["a", "b"],
            "company.staff": [Decimal("9.50"), None],
            "company.turnover": [1999999.99, 10.0],
            "company.insolvency": [False, None],
            "company.founded": [dt.date(2020, 1, 1), None],
            "company.nace": [["62.01", "62.02"], []],
        },
        schema_overrides={"company.staff": pl.Decimal(10, 2)},
    ).write_parquet(source)
    out = tmp_path / "out.csv"
    policy.screen(source, out, AS_OF, "kmo_groeisubsidie")
    profile = {
        "company": {
            "id": "a",
            "staff": "9.50",
            "turnover": "1999999.99",
            "insolvency": False,
            "founded": "2020-01-01",
            "nace": ["62.01", "62.02"],
        }
    }
    expected = policy.check(profile, AS_OF, "kmo_groeisubsidie").as_json()["results"][0]
    row = _read(out)[0]
    assert row[2:4] == (expected["status"], expected["amount"])
    assert row[4] == (";".join(expected["missing"]) or None)


def test_check_many_is_not_what_rejects_input_errors() -> None:
    # The facade's own errors stay InputErrors, as before.
    with pytest.raises(InputError):
        policy.screen(CSV, "out.csv", AS_OF, "no_such_programme")


def test_parquet_lists_of_records_may_be_list_columns(tmp_path: Path) -> None:
    source = tmp_path / "nested.parquet"
    costs = [{"category": "advice", "amount": "30000.50", "provider": None}]
    pl.DataFrame(
        {"company.id": ["a"], "project.theme": ["digitalisation"], "project.costs": [costs]}
    ).write_parquet(source)
    out = tmp_path / "out.csv"
    policy.screen(source, out, AS_OF, "kmo_groeisubsidie")
    profile = {
        "company": {"id": "a"},
        "project": {
            "theme": "digitalisation",
            "costs": [{"category": "advice", "amount": "30000.50"}],
        },
    }
    expected = policy.check(profile, AS_OF, "kmo_groeisubsidie").as_json()["results"][0]
    assert _read(out)[0][2:4] == (expected["status"], expected["amount"])


def test_no_progress_bar_off_a_terminal() -> None:
    from policy.cli.screen_progress import progress_display
    from policy.output.formatting import formatter

    with progress_display(formatter("nl")) as progress:  # pytest captures stderr: not a terminal
        assert progress is None


def _anonymous_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status RssAnon on this system")


def test_a_csv_is_read_a_chunk_at_a_time(tmp_path: Path) -> None:
    # 30 MB of rows: read whole (as polars' CSV reader does), memory would grow by as much.
    from policy.screening.reading import open_reader

    source = tmp_path / "many.csv"
    row = '0712.345.678,flanders,12,1800000,"[{""category"": ""advice"", ""amount"": 30000}]"\n'
    with source.open("w", encoding="utf-8") as f:
        f.write("company.id,company.region,company.staff,company.turnover,project.costs\n")
        f.write(row * 400_000)
    chunks = open_reader(source, {}, 512).chunks()
    next(chunks)
    start = peak = _anonymous_mib()
    rows = 512
    for chunk in chunks:
        rows += len(chunk.rows)
        peak = max(peak, _anonymous_mib())
    assert rows == 400_000
    assert peak - start < 8, f"memory grew by {peak - start:.0f} MiB reading the file"


def test_explain_one_row_as_explain_explains_its_profile(tmp_path: Path) -> None:
    line = JSONL.read_text(encoding="utf-8").splitlines()[4]
    profile = tmp_path / "bakkerij.json"
    profile.write_text(line, encoding="utf-8")
    expected = invoke(
        "explain", str(profile), "--programme", "kmo_groeisubsidie", "--as-of", "2026-03-01"
    )
    for source in (CSV, JSONL):
        result = invoke(
            "screen",
            str(source),
            "--explain",
            "0623.111.222",
            "--programme",
            "kmo_groeisubsidie",
            "--as-of",
            "2026-03-01",
        )
        assert (result.exit_code, result.stdout) == (OK, expected.stdout)
        assert "eligible" in result.stdout


def test_explain_names_a_missing_or_invalid_row(tmp_path: Path) -> None:
    source = tmp_path / "companies.csv"
    source.write_text(BAD_ROWS, encoding="utf-8")
    cases = [
        (
            ["--explain", "nobody", "--programme", "kmo_groeisubsidie"],
            f"{source}: no row with company.id 'nobody'\n",
        ),
        (
            ["--explain", "bad-region", "--programme", "kmo_groeisubsidie"],
            f"{source}: row 4: company.region: unknown region 'flandres'; expected one of "
            "brussels, flanders, wallonia\n",
        ),
        (
            ["--explain", "ok-1"],
            "--explain: give the one programme to explain with --programme ID\n",
        ),
        ([], "screen: --out OUTPUT is required (or --explain COMPANY_ID)\n"),
    ]
    for args, message in cases:
        result = invoke("screen", str(source), *args)
        assert (result.exit_code, result.stderr) == (BAD_INPUT, message)


def test_a_row_that_fails_while_costed_is_rejected_alone(tmp_path: Path) -> None:
    source = tmp_path / "companies.csv"
    source.write_text(
        "company.id,project.theme,project.costs\n"
        "a,digitalisation,\n"
        'b,digitalisation,"[{""category"": ""advice"", ""amount"": 25000, '
        '""incurred"": ""2026-01-05""}]"\n'
        "c,innovation,\n",
        encoding="utf-8",
    )
    errors = tmp_path / "errors.csv"
    summary = policy.screen(source, tmp_path / "out.csv", AS_OF, "kmo_groeisubsidie", errors=errors)
    assert (summary.screened, summary.rejected) == (2, 1)
    assert [r[0] for r in _read(tmp_path / "out.csv")] == ["a", "c"]
    assert _read(errors) == [("3", "project.start", "required to judge project.costs[0].incurred")]


def test_the_vector_backend_writes_what_check_answers(tmp_path: Path) -> None:
    """`--backend vector`: the same rows as `subsidia check`, nothing left to the direct
    backend for these companies (the summary line would say how many)."""
    out = tmp_path / "results.csv"
    pid = "kmo_groeisubsidie"  # one programme: its program compiles in a fraction
    args = ("--as-of", str(AS_OF), "--programme", pid, "--backend", "vector")
    result = invoke("screen", str(CSV), "--out", str(out), *args)
    assert result.exit_code == OK, result.stderr
    assert _read(out) == [row for row in _expected() if row[1] == pid]
    assert "from the direct backend" not in result.stderr
    with pytest.raises(InputError, match="must be one of vector, direct"):
        policy.screen(CSV, tmp_path / "never.csv", AS_OF, backend="clingo")
