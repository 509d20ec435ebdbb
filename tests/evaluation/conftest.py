"""The evaluation tests read the one demo load of the session (tests/integration/conftest.py)."""

from tests.integration.conftest import demo_load  # noqa: F401  (the shared session fixture)
