"""The vector backend: the IR evaluated over polars columns, a batch of records at once
(docs/architecture.md, "The vector backend"). Imported only when asked for: polars is
a heavy import."""
