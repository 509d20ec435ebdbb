"""The one resource every asset shares: the warehouse's folders and secrets."""

import os

import dagster as dg

from dagster_project.settings import Settings, load_settings

DEMO_KEY_ENV = "TCD_DEMO_KEY"
"""Set to 1 (``tcd ui --demo-key``, ``make ui``) to let UI, schedule and sensor runs fall back to
the public demo pseudonymisation key when ``TCD_PSEUDONYM_KEY`` is unset. Never for real data."""


def demo_key_allowed() -> bool:
    """Whether this process was started to run on sample data with the public demo key."""
    return os.environ.get(DEMO_KEY_ENV, "").strip().lower() in {"1", "true", "yes"}


INDIRECT_SELECTION_ENV = "DBT_INDIRECT_SELECTION"


class WarehouseResource(dg.ConfigurableResource):
    """Locations under TCD_HOME and the pseudonymisation policy.

    ``home`` empty means "read TCD_HOME from the environment" so that the UI, the schedule and the
    CLI agree on one folder without repeating it in every run config.
    """

    home: str = ""
    allow_demo_key: bool = False

    @classmethod
    def from_environment(cls) -> "WarehouseResource":
        """The resource as the code location builds it: the demo key only when asked for.

        UI, schedule and sensor runs carry no run config for this resource, so the process
        environment (and ``.env``, which ``tcd`` and Dagster read) decides, as it does for
        ``TCD_PSEUDONYM_KEY`` itself.
        """
        return cls(allow_demo_key=demo_key_allowed())

    def settings(self) -> Settings:
        return load_settings(self.home or None)

    def export_dbt_env(self) -> Settings:
        """Point the dbt subprocess at this warehouse; dbt inherits the process environment."""
        settings = self.settings()
        os.environ.update(settings.dbt_env())
        # A run that builds some models (a UI subset, a backfill's first step) runs only the
        # tests whose every parent it builds; dbt's default would also run tests reaching into
        # models not built yet, and fail them.
        os.environ.setdefault(INDIRECT_SELECTION_ENV, "cautious")
        return settings
