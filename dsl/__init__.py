"""The rule language: grammar, parser, AST, checker and the backend-neutral IR."""
