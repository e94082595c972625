"""The HTTP service: `subsidia serve` (docs/service.md).

`app.create_app` builds one ASGI application that serves the JSON API under /api/v1
(policy/service/routes.py) and the web pages (policy/web/). Both call the facade
(policy/api.py) and nothing below it, like the command line.
"""
