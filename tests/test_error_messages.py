"""Error messages in the reader's language (docs/i18n.md): the command line's `--lang`, the
HTTP service's `lang` / Accept-Language and the web pages format the same error, the
translated sentence around the same data (field path, file:line:col); `str(err)` stays
English; every message template in the code has a Dutch and a French translation."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dsl.errors import N_, Message, UsageError
from policy.errors import InputError
from policy.output.formatting import LOCALE_DIR, formatter
from tests.cli import invoke
from tests.translation import assert_translated

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("nl", "fr")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

BAD_PROFILE = """\
company:
  id: acme
  name: Acme
  region: flanders
  staff: -3
"""


def _same_run(args: list[str], lang: str):
    result = invoke(*args, "--lang", lang)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr.strip()


def test_a_bad_profile_in_each_language(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(BAD_PROFILE)
    args = ["check", str(profile)]
    english = _same_run(args, "en")
    assert english == f"{profile}: company.staff: must not be negative"
    for lang in LANGS:
        assert_translated(english, _same_run(args, lang), [str(profile), "company.staff"], lang)


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "examples/scenarios/bel_coo_consortium.yaml", "--alternatives", "-1"],
        ["check", "examples/profiles/flemish_growth.yaml", "--as-of", "3026-01-01"],
    ],
    ids=["alternatives", "as-of-range"],
)
def test_a_bad_command_line_value_in_each_language(args: list[str]) -> None:
    english = _same_run(args, "en")
    option = args[-2]
    assert english.startswith(f"{option}:")
    for lang in LANGS:
        assert_translated(english, _same_run(args, lang), [option], lang)


@pytest.mark.parametrize("name", ["unknown_names", "units", "syntax_errors", "limits"])
def test_a_rule_file_error_in_each_language(name: str) -> None:
    path = f"tests/golden/rules/{name}.rules"
    english = _same_run(["validate", path], "en")
    locations = re.findall(r"^(\S+:\d+:\d+): ", english, re.MULTILINE)
    codes = re.findall(r"\[[EW]\d+\]", english)
    assert locations and codes
    for lang in LANGS:
        translated = _same_run(["validate", path], lang)
        assert_translated(english, translated, [*locations, *codes], lang)
        # The source line and the caret under it are the file's own, unchanged.
        sources = [line for line in english.splitlines() if "|" in line]
        assert sources == [line for line in translated.splitlines() if "|" in line]


@pytest.fixture(scope="module")
def client():
    from policy.service.app import create_app

    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?lang={lang}", {}),
        ("", {"Accept-Language": "{lang}-BE,{lang};q=0.9,en;q=0.5"}),
    ],
    ids=["query", "accept-language"],
)
def test_a_service_4xx_in_each_language(client, query: str, headers: dict[str, str]) -> None:
    url = "/api/v1/check"
    sent = {"Content-Type": "application/yaml"}
    english = client.post(url, content=BAD_PROFILE, headers=sent)
    assert english.status_code == 422
    [expected] = english.json()["errors"]
    assert expected == {"path": "company.staff", "message": "must not be negative"}
    for lang in LANGS:
        asked = {**sent, **{k: v.format(lang=lang) for k, v in headers.items()}}
        response = client.post(url + query.format(lang=lang), content=BAD_PROFILE, headers=asked)
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert error["path"] == expected["path"]
        assert_translated(expected["message"], error["message"], [], lang)


def test_the_quiz_body_lang_sets_the_language_of_its_errors(client) -> None:
    body = {"answers": {"company.no_such_field": 1}, "lang": "fr"}
    response = client.post("/api/v1/quiz/next", json=body)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["path"] == "company.no_such_field"
    assert "pas un champ" in error["message"]


def test_the_web_pages_error_box_in_each_language(client) -> None:
    upload = {"file": ("bad.yaml", BAD_PROFILE.encode(), "text/yaml")}
    english = client.post("/budget", files=upload)
    assert english.status_code == 422
    assert "bad.yaml: company.staff: must not be negative" in english.text
    for lang in LANGS:
        page = client.post(f"/budget?lang={lang}", files=upload).text
        box = re.search(r'id="error">([^<]*)<', page)
        assert box is not None
        assert_translated("must not be negative", box.group(1), ["bad.yaml: company.staff"], lang)


def test_values_are_data_never_translated_or_markup() -> None:
    # A value that happens to be a message template, or looks like markup or a placeholder.
    value = "<b>[red]{limit}[/red]</b> must not be negative"
    message = N_("unknown programme '{pid}'{hint}", pid=value, hint="")
    for lang in LANGS:
        text = formatter(lang).text(message)
        assert f"'{value}'" in text
        assert "unknown" not in text
    err = InputError("company.name", message)
    assert str(err) == f"company.name: unknown programme '{value}'"


def test_str_stays_english_and_the_template_survives_pickling() -> None:
    message = N_("must be at most {maximum} (a percentage)", maximum=100)
    err = InputError("project.share", message, "p.yaml")
    assert str(err) == "p.yaml: project.share: must be at most 100 (a percentage)"
    assert str(UsageError(N_("--alternatives: must not be negative"))) == (
        "--alternatives: must not be negative"
    )
    back = pickle.loads(pickle.dumps(err))  # screening's worker processes send errors back
    assert back == err
    assert isinstance(back.message, Message)
    assert back.message.template == message.template
    dutch = "p.yaml: project.share: mag hoogstens 100 zijn (een percentage)"
    assert formatter("nl").error(back) == dutch


def test_a_broken_translation_falls_back_to_english() -> None:
    message = N_("must be greater than {minimum}", minimum=0)
    assert message.localize(lambda template: "moet groter dan {minimum zijn") == str(message)
    assert message.localize(lambda template: "moet groter dan {maximum} zijn") == str(message)


def _templates_in_code() -> dict[str, list[str]]:
    """Every message `pybabel extract` finds in the code, as `make messages` extracts it
    (policy/locale/babel.cfg): read from the sources, not from the .pot, so a template
    added without `make messages` is found too."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (LOCALE_DIR / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, list[str]] = {}
    for file, line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        if isinstance(message, str):
            found.setdefault(message, []).append(f"{file}:{line}")
    return found


def test_every_template_in_the_code_has_a_dutch_and_french_translation() -> None:
    from babel.messages.pofile import read_po

    templates = _templates_in_code()
    assert "must not be negative" in templates  # the extraction sees the error messages
    assert "unexpected end of file" in templates  # and the rule language's diagnostics
    for lang in LANGS:
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "subsidia.po").open("rb") as fh:
            catalog = {m.id: m.string for m in read_po(fh) if m.id and not m.fuzzy}
        missing = {t: where[0] for t, where in templates.items() if not catalog.get(t)}
        assert not missing, f"{lang}: untranslated (run `make messages` and translate): {missing}"
        for template in templates:
            wanted = sorted(PLACEHOLDER.findall(template))
            assert sorted(PLACEHOLDER.findall(str(catalog[template]))) == wanted, (lang, template)


# Query values FastAPI/pydantic refuse before our code runs, one per common error kind:
# (url, the field path, the English message). The body is a valid scenario or profile.
REFUSED = [
    ("/api/v1/plan?alternatives=11", "alternatives", "must be at most 10"),
    ("/api/v1/plan?alternatives=-1", "alternatives", "must be at least 0"),
    ("/api/v1/plan?alternatives=two", "alternatives", "expected a whole number, got 'two'"),
    ("/api/v1/plan?time_limit=0", "time_limit", "must be greater than 0"),
    ("/api/v1/plan?time_limit=soon", "time_limit", "expected a number, got 'soon'"),
    ("/api/v1/explain", "programme", "required"),
    ("/api/v1/programmes?lang=de", "lang", "must be one of nl, fr, en"),
]


@pytest.mark.parametrize(("url", "path", "message"), REFUSED, ids=[r[2] for r in REFUSED])
def test_request_validation_errors_in_each_language(
    client, url: str, path: str, message: str
) -> None:
    method = client.get if "/programmes" in url else client.post
    english = method(url)
    assert english.status_code == 422
    assert english.json() == {"errors": [{"path": path, "message": message}]}
    for lang in LANGS:
        # Accept-Language: the `lang` query itself may be the refused value.
        response = method(url, headers={"Accept-Language": f"{lang}-BE"})
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert error["path"] == path
        data = [word for word in ("'two'", "'soon'", "nl, fr, en") if word in message]
        assert_translated(message, error["message"], data, lang)


def test_validation_kinds_without_a_route_to_show_them() -> None:
    from policy.service.errors import validation_message

    nl = formatter("nl").text
    extra = validation_message({"type": "extra_forbidden", "loc": ("body", "x")})
    assert (extra, nl(extra)) == ("not a field of this request", "geen veld van deze aanvraag")
    enum = {"type": "enum", "ctx": {"expected": "'eligible', 'ineligible' or 'unknown'"}}
    assert str(validation_message(enum)) == "must be one of eligible, ineligible, unknown"
    assert "or" not in nl(validation_message(enum)).split()
    # A kind we do not know keeps pydantic's own sentence rather than a wrong one of ours.
    assert validation_message({"type": "uuid_parsing", "msg": "Input should be a UUID"}) == (
        "Input should be a UUID"
    )


def test_starlette_errors_and_the_500_in_each_language() -> None:
    """An unknown address (404), a method the address does not take (405, its Allow header
    kept) and a bug (500) answer in the request's language, in the one body shape."""
    from policy.service.app import create_app

    app = create_app()

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as c:
        for url, method, status in [
            ("/no/such/page", c.get, 404),
            ("/healthz", c.post, 405),
            ("/boom", c.get, 500),
        ]:
            english = method(url)
            assert english.status_code == status
            [error] = english.json()["errors"]
            for lang in LANGS:
                response = method(url, headers={"Accept-Language": f"{lang}-BE"})
                assert response.status_code == status
                assert response.json() == method(f"{url}?lang={lang}").json()
                [translated] = response.json()["errors"]
                data = [
                    w for w in ("/no/such/page", "/healthz", "POST", "GET") if w in error["message"]
                ]
                methods = {"get", "post"}  # HTTP's own words, data like the path
                assert_translated(error["message"], translated["message"], data, lang, methods)
    assert english.status_code == 500
    assert method("/healthz").status_code == 200
    assert c.post("/healthz").headers.get("allow") is not None
