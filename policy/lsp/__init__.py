"""The language server for rule files (LSP over stdio), on the compiler's own AST and spans."""
