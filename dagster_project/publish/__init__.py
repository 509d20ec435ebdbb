"""Publishing: copy the audited marts into a fresh DuckDB file and swap it in atomically."""

from dagster_project.publish.atomic import (
    CONTRACT_TABLES,
    STORAGE_VERSION,
    PublishResult,
    publish_marts,
    published_version,
    read_publish_log,
)

__all__ = [
    "CONTRACT_TABLES",
    "STORAGE_VERSION",
    "PublishResult",
    "publish_marts",
    "published_version",
    "read_publish_log",
]
