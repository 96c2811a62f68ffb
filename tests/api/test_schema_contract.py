"""Every GET endpoint of the OpenAPI description answers as it describes:
schemathesis generates requests from the description (valid and invalid
parameters, keys) and checks each answer's status, type and shape.

Endpoints come from the description itself, so one added later is covered
without a change here.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

from api import openapi

MAX_EXAMPLES = 25


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, on the test's own connection and transaction.

    As Django's test client does, the request signals do not close the
    connection in the middle of the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The description as the endpoint serves it (built without the database).
schema = schemathesis.openapi.from_dict(json.loads(openapi.document()[0])).include(
    method="GET"
)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_get_endpoint_answers_as_described(case, knowledge_base, wsgi_app):
    # Validity that depends on the data (a page past the last one, the slug of
    # an entry that is not published) is not in a static description: such a
    # request is a documented 400, not a valid one refused.
    case.call_and_validate(
        app=wsgi_app, excluded_checks=[checks.positive_data_acceptance]
    )
