"""Screening a whole table of companies (`subsidia screen`, `policy.screen`; docs/screening.md):
reading CSV, Parquet, Excel and JSON Lines in chunks, checking every row through the facade
in one or more processes, and writing one row per company × programme atomically."""
