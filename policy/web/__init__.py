"""The web app: server-rendered pages over the facade, in nl, fr and en (docs/web.md)."""
