"""The one resource every asset shares: the warehouse's folders and secrets."""

import os

import dagster as dg

from dagster_project.settings import Settings, load_settings


class WarehouseResource(dg.ConfigurableResource):
    """Locations under TCD_HOME and the pseudonymisation policy.

    ``home`` empty means "read TCD_HOME from the environment" so that the UI, the schedule and the
    CLI agree on one folder without repeating it in every run config.
    """

    home: str = ""
    allow_demo_key: bool = False

    def settings(self) -> Settings:
        return load_settings(self.home or None)

    def export_dbt_env(self) -> Settings:
        """Point the dbt subprocess at this warehouse; dbt inherits the process environment."""
        settings = self.settings()
        os.environ.update(settings.dbt_env())
        return settings
