"""The API against its own OpenAPI document: generated requests to every operation get
no 5xx, and every answer matches the schema the document gives for its status.
Bounded: a few examples per operation (`SUBSIDIA_CONTRACT_EXAMPLES` for more)."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from policy.service.app import create_app

EXAMPLES = int(os.environ.get("SUBSIDIA_CONTRACT_EXAMPLES", "10"))

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract(case) -> None:
    case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
    )
