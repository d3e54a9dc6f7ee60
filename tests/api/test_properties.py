"""Property-based run over the OpenAPI document (issue 18 item 11): schemathesis generates
requests — valid and invalid — for every operation and sends them to the application in-process
(WSGI) as a signed-in administrator. No request may get a server error, and every status an
operation answers must be one the document lists for it.

Bounded for CI: ``FIVESTAR_API_EXAMPLES`` examples per operation (default 10, about 40 s for the
whole document); derandomised, so a run is repeatable. Raise the number for a deeper search:
``FIVESTAR_API_EXAMPLES=500 uv run pytest tests/api``.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from fivestar.accounts.services import create_api_token
from fivestar.wsgi import application
from tests.conftest import make_user
from tests.factories import TicketFactory

EXAMPLES = int(os.environ.get("FIVESTAR_API_EXAMPLES", "10"))


# Served by the application itself, as a client reads it (no database needed to serve it).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _one_connection_for_the_test():
    # The application runs in this thread, inside the test's transaction: as Django's test
    # client does, keep the end of each request from closing the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db) -> str:
    admin = make_user("fuzz-admin", "administrator", "supervisor", is_staff=True)
    TicketFactory()  # something to find, filter and page through
    _token, raw = create_api_token(user=admin)
    return raw


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error_or_an_undocumented_status(case, admin_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance],
    )
