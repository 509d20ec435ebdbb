"""Assets in the order data flows: ingestion, warehouse (dbt), quality, publish."""
