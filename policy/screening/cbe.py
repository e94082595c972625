"""The Crossroads Bank for Enterprises (KBO/BCE) open data as partial profiles to screen.

The monthly full extract is a folder of CSV files; this module reads five of them and
writes one screening-table row per enterprise (docs/screening.md, "A registry as
input"):

| column | from |
|---|---|
| `company.id` | enterprise.csv `EnterpriseNumber` (`0200.065.765`) |
| `company.name` | denomination.csv: the first name of type 001 (the legal name) |
| `company.region` | address.csv: the postal code of the registered office (`REGO`) |
| `company.legal_form` | enterprise.csv `JuridicalForm`, named through code.csv |
| `company.nace` | activity.csv: main, then secondary activities, latest NACE version |
| `company.founded` | enterprise.csv `StartDate` (`dd-mm-yyyy`) |
| `company.insolvency` | enterprise.csv `JuridicalSituation`, named through code.csv |

Everything else (staff, turnover, the project) is unknown: screening such partial
profiles says which companies could be eligible and which fields would settle it. The
files are joined by polars' lazy engine, which streams them (activity.csv alone is over
a gigabyte in a full extract), and the rows written in chunks, atomically.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dsl.errors import N_
from policy.errors import InputError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["CBE_COLUMNS", "FILES", "cbe_rows", "legal_form_names", "region_of_postcode"]

CBE_COLUMNS = (
    "company.id",
    "company.name",
    "company.region",
    "company.legal_form",
    "company.nace",
    "company.founded",
    "company.insolvency",
)

# The files read and the columns used from each (the extract's own headers).
FILES = {
    "enterprise.csv": ("EnterpriseNumber", "JuridicalSituation", "JuridicalForm", "StartDate"),
    "denomination.csv": ("EntityNumber", "TypeOfDenomination", "Denomination"),
    "address.csv": ("EntityNumber", "TypeOfAddress", "CountryNL", "Zipcode"),
    "activity.csv": ("EntityNumber", "NaceVersion", "NaceCode", "Classification"),
    "code.csv": ("Category", "Code", "Language", "Description"),
}

# Belgian postal codes by region: Brussels-Capital 1000-1299; Walloon Brabant 1300-1499
# and 4000-7999 (Liège, Namur, Hainaut, Luxembourg, the German-speaking area); Flemish
# Brabant 1500-3999 with Antwerp and Limburg, and 8000-9999 (West and East Flanders).
POSTCODE_REGIONS = (
    (1000, 1299, "brussels"),
    (1300, 1499, "wallonia"),
    (1500, 3999, "flanders"),
    (4000, 7999, "wallonia"),
    (8000, 9999, "flanders"),
)

# Legal forms by words of their Dutch name in code.csv, most specific first, with the
# abbreviation used in Flanders and the one used elsewhere (the rules know both).
LEGAL_FORMS = (
    ("internationale vereniging zonder winstoogmerk", "ivzw", "aisbl"),
    ("vereniging zonder winstoogmerk", "vzw", "asbl"),
    ("stichting", "stichting", "fondation"),
    ("besloten vennootschap met beperkte aansprakelijkheid", "bvba", "sprl"),
    ("besloten vennootschap", "bv", "srl"),
    ("naamloze vennootschap", "nv", "sa"),
    ("coöperatieve vennootschap met beperkte aansprakelijkheid", "cvba", "scrl"),
    ("coöperatieve vennootschap", "cv", "sc"),
    ("commanditaire vennootschap", "commv", "scomm"),
    ("vennootschap onder firma", "vof", "snc"),
)

# Juridical situations that are collective insolvency proceedings, and the normal one.
INSOLVENCY_WORDS = ("faillissement", "gerechtelijke reorganisatie", "gerechtelijk akkoord")
NORMAL_SITUATION = "normale toestand"


def region_of_postcode(postcode: int) -> str | None:
    for low, high, region in POSTCODE_REGIONS:
        if low <= postcode <= high:
            return region
    return None


def legal_form_names(descriptions: dict[str, str]) -> dict[str, tuple[str, str]]:
    """JuridicalForm code → (Flemish, other) abbreviation, from code.csv's Dutch names;
    forms not recognised are left out (the legal form stays unknown)."""
    names = {}
    for code, description in descriptions.items():
        lowered = description.lower()
        for words, flemish, other in LEGAL_FORMS:
            if words in lowered:
                names[code] = (flemish, other)
                break
    return names


def insolvency_flags(descriptions: dict[str, str]) -> dict[str, str]:
    """JuridicalSituation code → "true" (insolvency proceedings) or "false" (normal)."""
    flags = {}
    for code, description in descriptions.items():
        lowered = description.lower()
        if any(words in lowered for words in INSOLVENCY_WORDS):
            flags[code] = "true"
        elif NORMAL_SITUATION in lowered:
            flags[code] = "false"
    return flags


def _check_files(folder: Path) -> None:
    if not folder.is_dir():
        raise InputError(
            "", N_("no such folder (expected an unpacked KBO/BCE open-data extract)"), str(folder)
        )
    for name, columns in FILES.items():
        path = folder / name
        if not path.is_file():
            raise InputError("", N_("missing from the extract"), str(path))
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), [])
        for column in columns:
            if column not in header:
                raise InputError(
                    "",
                    N_("no {column} column; is this a KBO/BCE open-data file?", column=column),
                    str(path),
                )


def _descriptions(folder: Path, category: str) -> dict[str, str]:
    """code.csv's Dutch descriptions of one category (French where there is no Dutch)."""
    found: dict[str, str] = {}
    with (folder / "code.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["Category"] == category and (
                row["Language"] == "NL" or row["Code"] not in found
            ):
                found[row["Code"]] = row["Description"]
    return found


def _scan(folder: Path, name: str) -> pl.LazyFrame:
    import polars as pl

    return pl.scan_csv(folder / name, infer_schema=False).select(FILES[name])


def cbe_frame(folder: Path) -> pl.LazyFrame:
    """The extract's enterprises as a lazy table of the screening columns (all text)."""
    import polars as pl

    _check_files(folder)
    forms = legal_form_names(_descriptions(folder, "JuridicalForm"))
    situations = insolvency_flags(_descriptions(folder, "JuridicalSituation"))

    names = (
        _scan(folder, "denomination.csv")
        .filter(pl.col("TypeOfDenomination") == "001")
        .group_by("EntityNumber", maintain_order=True)
        .agg(pl.col("Denomination").first().alias("company.name"))
    )
    postcode = pl.col("Zipcode").str.strip_chars().cast(pl.Int32, strict=False)
    region = pl.lit(None, dtype=pl.String)
    for low, high, name in reversed(POSTCODE_REGIONS):
        region = pl.when(postcode.is_between(low, high)).then(pl.lit(name)).otherwise(region)
    belgian = pl.col("CountryNL").fill_null("").str.strip_chars() == ""
    regions = (
        _scan(folder, "address.csv")
        .filter(pl.col("TypeOfAddress") == "REGO")
        .with_columns(pl.when(belgian).then(region).alias("company.region"))
        .group_by("EntityNumber", maintain_order=True)
        .agg(pl.col("company.region").first())
    )
    version = pl.col("NaceVersion").cast(pl.Int32, strict=False)
    activities = (
        _scan(folder, "activity.csv")
        .filter(pl.col("Classification").is_in(["MAIN", "SECO"]))
        .filter(pl.col("NaceCode").str.strip_chars() != "")
        .filter(version == version.max().over("EntityNumber"))
        .with_columns((pl.col("Classification") != "MAIN").alias("secondary"))
        .sort(["EntityNumber", "secondary"], maintain_order=True)
        .group_by("EntityNumber", maintain_order=True)
        .agg(pl.col("NaceCode").str.strip_chars().unique(maintain_order=True).str.join(";"))
        .rename({"NaceCode": "company.nace"})
    )
    form = pl.col("JuridicalForm")
    flemish = form.replace_strict({c: f for c, (f, _) in forms.items()}, default=None)
    other = form.replace_strict({c: o for c, (_, o) in forms.items()}, default=None)
    founded = pl.col("StartDate").str.strip_chars().str.to_date("%d-%m-%Y", strict=False)
    return (
        _scan(folder, "enterprise.csv")
        .rename({"EnterpriseNumber": "company.id"})
        .join(
            names, left_on="company.id", right_on="EntityNumber", how="left", maintain_order="left"
        )
        .join(
            regions,
            left_on="company.id",
            right_on="EntityNumber",
            how="left",
            maintain_order="left",
        )
        .join(
            activities,
            left_on="company.id",
            right_on="EntityNumber",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.when(pl.col("company.region") == "flanders")
            .then(flemish)
            .otherwise(other)
            .cast(pl.String)
            .alias("company.legal_form"),
            founded.dt.to_string("%Y-%m-%d").alias("company.founded"),
            pl.col("JuridicalSituation")
            .replace_strict(situations, default=None)
            .cast(pl.String)
            .alias("company.insolvency"),
        )
        .select(CBE_COLUMNS)
    )


def cbe_rows(folder: Path, chunk_rows: int = 50_000) -> Iterator[list[tuple[object, ...]]]:
    """The partial profiles of an extract, in chunks of rows of `CBE_COLUMNS`, in the
    order of enterprise.csv."""
    import polars as pl

    frame = cbe_frame(folder)
    try:
        for batch in frame.collect_batches(chunk_size=chunk_rows, engine="streaming"):
            yield batch.rows()
    except pl.exceptions.PolarsError as exc:
        text = str(exc).strip().splitlines()
        raise InputError(
            "", N_("cannot read the extract: {value}", value=text[0] if text else exc), str(folder)
        ) from None
