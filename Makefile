# Two entry points, both self-installing: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@# An editable install leaves our own modules uncompiled, and with PYTHONDONTWRITEBYTECODE
	@# set every run would compile them again (~0.1 s of a 0.4 s check).
	$(BIN)/python -m compileall -q policy dsl solver
	touch $(STAMP)

.PHONY: install demo test lint bench messages serve browser profile-doc
install: $(STAMP)

demo: $(STAMP)
	$(BIN)/subsidia check examples/profiles/flemish_growth.yaml
	$(BIN)/subsidia check examples/profiles/flemish_growth.yaml --json

# The browser tests drive Debian's chromium through Playwright (Playwright's own browser
# download is not used); installed here when missing and we may (root, as in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
		echo "chromium is missing and cannot be installed here: the browser tests will skip"

# The rule gates first: every case beside the rules passes, and lint finds nothing that
# the rule files do not allow with a reason (docs/cli.md).
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/subsidia test programmes
	$(BIN)/subsidia lint programmes
	@# One test process per core (pytest-xdist): the suite is CPU-bound and its servers take free
	@# ports. A file's tests stay in one process: the tutorial's steps share fixed /tmp paths.
	$(BIN)/pytest -n auto --dist loadfile

# The HTTP service and web app on http://127.0.0.1:8000 (docs/service.md).
serve: $(STAMP)
	$(BIN)/subsidia serve

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

# After changing a message in the code: refresh the template and merge it into nl and fr
# (then translate the new entries in policy/locale/*/LC_MESSAGES/subsidia.po).
messages: $(STAMP)
	$(BIN)/pybabel extract -F policy/locale/babel.cfg --no-location --sort-output \
		--project subsidia -o policy/locale/subsidia.pot .
	$(BIN)/pybabel update -i policy/locale/subsidia.pot -d policy/locale -D subsidia --no-fuzzy-matching -w 100

# The profile's JSON Schema and docs/profile.md, from the profile model (policy/inputs/profile.py,
# prose in policy/inputs/profile_doc.md): run after adding or changing a profile field.
profile-doc: $(STAMP)
	$(BIN)/python -m policy.inputs.profile > policy/inputs/schema/profile.schema.json
	$(BIN)/python -m policy.inputs.profile_doc > docs/profile.md
