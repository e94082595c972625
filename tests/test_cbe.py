"""`subsidia import-cbe`: a Crossroads Bank for Enterprises open-data extract, generated
here in the extract's layout, as partial profiles that `subsidia screen` reads."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import policy
from policy.cli.exit_codes import BAD_INPUT, OK
from policy.screening.cbe import CBE_COLUMNS, region_of_postcode
from tests.cli import invoke

# The extract's files as the KBO/BCE writes them: every text quoted, dates dd-mm-yyyy.
EXTRACT = {
    "meta.csv": [
        ("Variable", "Value"),
        ("SnapshotDate", "05-12-2026"),
        ("ExtractType", "full"),
    ],
    "code.csv": [
        ("Category", "Code", "Language", "Description"),
        ("JuridicalForm", "610", "FR", "Société à responsabilité limitée"),
        ("JuridicalForm", "610", "NL", "Besloten Vennootschap"),
        ("JuridicalForm", "014", "FR", "Société anonyme"),
        ("JuridicalForm", "014", "NL", "Naamloze vennootschap"),
        ("JuridicalForm", "017", "FR", "Association sans but lucratif"),
        ("JuridicalForm", "017", "NL", "Vereniging zonder winstoogmerk"),
        ("JuridicalForm", "999", "NL", "Een vorm die niemand kent"),
        ("JuridicalSituation", "000", "NL", "Normale toestand"),
        ("JuridicalSituation", "000", "FR", "Situation normale"),
        ("JuridicalSituation", "050", "NL", "Faillissement"),
        ("JuridicalSituation", "012", "NL", "Opening faillissement"),
        ("JuridicalSituation", "100", "NL", "Vereffening"),
    ],
    "enterprise.csv": [
        (
            "EnterpriseNumber",
            "Status",
            "JuridicalSituation",
            "TypeOfEnterprise",
            "JuridicalForm",
            "JuridicalFormCAC",
            "StartDate",
        ),
        ("0200.065.765", "AC", "000", "2", "610", "", "09-08-2015"),
        ("0400.111.222", "AC", "000", "2", "014", "", "01-01-1968"),
        ("0500.333.444", "AC", "000", "2", "017", "", "31-12-2001"),
        ("0600.555.666", "AC", "050", "1", "", "", "15-03-2019"),
        ("0700.777.888", "AC", "100", "2", "999", "", "not a date"),
    ],
    "establishment.csv": [
        ("EstablishmentNumber", "StartDate", "EnterpriseNumber"),
        ("2.000.000.339", "01-11-2015", "0200.065.765"),
    ],
    "denomination.csv": [
        ("EntityNumber", "Language", "TypeOfDenomination", "Denomination"),
        ("0200.065.765", "2", "001", "Voorbeeld Digitaal"),
        ("0200.065.765", "2", "002", "VD"),
        ("0400.111.222", "1", "003", "Commercial name only"),
        ("0400.111.222", "1", "001", "Exemple Bruxelles"),
        ("0500.333.444", "1", "001", "Ensemble ASBL"),
        ("0600.555.666", "2", "003", "Bakkerij Jan"),
    ],
    "address.csv": [
        (
            "EntityNumber",
            "TypeOfAddress",
            "CountryNL",
            "CountryFR",
            "Zipcode",
            "MunicipalityNL",
            "MunicipalityFR",
            "StreetNL",
            "StreetFR",
            "HouseNumber",
            "Box",
            "ExtraAddressInfo",
            "DateStrikingOff",
        ),
        ("2.000.000.339", "BAET", "", "", "1000", "Brussel", "Bruxelles", "", "", "", "", "", ""),
        (
            "0200.065.765",
            "REGO",
            "",
            "",
            "9000",
            "Gent",
            "Gent",
            "Stropstraat",
            "Stropstraat",
            "1",
            "",
            "",
            "",
        ),
        ("0400.111.222", "REGO", "", "", "1050", "Elsene", "Ixelles", "", "", "", "", "", ""),
        ("0500.333.444", "REGO", "", "", "4000", "Luik", "Liège", "", "", "", "", "", ""),
        ("0600.555.666", "REGO", "", "", "8500", "Kortrijk", "Courtrai", "", "", "", "", "", ""),
        (
            "0700.777.888",
            "REGO",
            "Frankrijk",
            "France",
            "62000",
            "Arras",
            "Arras",
            "",
            "",
            "",
            "",
            "",
            "",
        ),
    ],
    "activity.csv": [
        ("EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"),
        ("0200.065.765", "001", "2008", "62010", "MAIN"),
        ("0200.065.765", "001", "2025", "70220", "SECO"),
        ("0200.065.765", "001", "2025", "62100", "MAIN"),
        ("0200.065.765", "006", "2025", "62100", "MAIN"),
        ("0200.065.765", "001", "2025", "85599", "ANCI"),
        ("2.000.000.339", "001", "2025", "47110", "MAIN"),
        ("0400.111.222", "001", "2008", "52290", "MAIN"),
        ("0500.333.444", "001", "2025", "88990", "MAIN"),
        ("0600.555.666", "001", "2025", "10710", "MAIN"),
    ],
}

EXPECTED = [
    ("0200.065.765", "Voorbeeld Digitaal", "flanders", "bv", "62100;70220", "2015-08-09", "false"),
    ("0400.111.222", "Exemple Bruxelles", "brussels", "sa", "52290", "1968-01-01", "false"),
    ("0500.333.444", "Ensemble ASBL", "wallonia", "asbl", "88990", "2001-12-31", "false"),
    ("0600.555.666", None, "flanders", None, "10710", "2019-03-15", "true"),
    ("0700.777.888", None, None, None, None, None, None),
]


def write_extract(folder: Path) -> Path:
    """A small extract in the KBO/BCE open-data layout."""
    folder.mkdir(exist_ok=True)
    for name, rows in EXTRACT.items():
        lines = []
        for row in rows:
            cells = [value if _is_date(value) else f'"{value}"' for value in row]
            lines.append(",".join(cells))
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _is_date(value: str) -> bool:
    return len(value) == 10 and value[2] == "-" and value[5] == "-"


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl", ".xlsx"])
def test_an_extract_becomes_one_partial_profile_per_enterprise(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"companies{suffix}"
    result = invoke("import-cbe", str(write_extract(tmp_path / "kbo")), "--out", str(out))
    assert (result.exit_code, result.stderr) == (OK, f"5 enterprises in {out}\n")
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(out, read_only=True)
        rows = [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        width = len(CBE_COLUMNS)
        assert rows[0] == CBE_COLUMNS
        assert [r + (None,) * (width - len(r)) for r in rows[1:]] == EXPECTED
        return
    reader = {
        ".csv": lambda p: pl.read_csv(p, infer_schema=False),
        ".parquet": pl.read_parquet,
        ".jsonl": pl.read_ndjson,
    }[suffix]
    frame = reader(out)
    assert tuple(frame.columns) == CBE_COLUMNS
    assert frame.rows() == EXPECTED


def test_the_partial_profiles_screen_with_what_would_settle_them(tmp_path: Path) -> None:
    companies = tmp_path / "companies.csv"
    policy.import_cbe(write_extract(tmp_path / "kbo"), companies)
    results = tmp_path / "results.csv"
    summary = policy.screen(companies, results, programmes="kmo_groeisubsidie")
    assert (summary.screened, summary.rejected) == (5, 0)
    rows = {r[0]: r for r in pl.read_csv(results, infer_schema=False).rows()}
    flemish_bv = rows["0200.065.765"]
    assert flemish_bv[2] == "unknown"
    assert "company.staff" in flemish_bv[4] and "company.turnover" in flemish_bv[4]
    assert rows["0500.333.444"][2] == "ineligible"  # a Walloon non-profit


def test_postcodes_give_the_region() -> None:
    assert [
        region_of_postcode(p)
        for p in (1000, 1210, 1300, 1500, 2000, 3500, 4700, 6600, 7000, 8000, 9999, 999, 10000)
    ] == [
        "brussels",
        "brussels",
        "wallonia",
        "flanders",
        "flanders",
        "flanders",
        "wallonia",
        "wallonia",
        "wallonia",
        "flanders",
        "flanders",
        None,
        None,
    ]


def test_a_folder_that_is_not_an_extract_is_one_message_and_exit_2(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "kbo")
    (folder / "activity.csv").unlink()
    out = tmp_path / "out" / "companies.csv"
    out.parent.mkdir()
    result = invoke("import-cbe", str(folder), "--out", str(out))
    assert result.exit_code == BAD_INPUT
    assert result.stderr == f"{folder / 'activity.csv'}: missing from the extract\n"
    (folder / "activity.csv").write_text('"EntityNumber","Code"\n', encoding="utf-8")
    result = invoke("import-cbe", str(folder), "--out", str(out))
    assert result.stderr == (
        f"{folder / 'activity.csv'}: no NaceVersion column; is this a KBO/BCE open-data file?\n"
    )
    result = invoke("import-cbe", str(tmp_path / "nowhere"), "--out", str(out))
    assert result.exit_code == BAD_INPUT and "no such folder" in result.stderr
    assert list(out.parent.iterdir()) == []
