"""Arrow schemas of the five parsed Parquet files (docs/data-layout.md is the contract)."""

from __future__ import annotations

import pyarrow as pa

REPORT = pa.schema(
    [
        ("report_id", pa.string()),
        ("unit_code", pa.string()),
        ("period_code", pa.string()),
        ("version", pa.int32()),
        ("sha256", pa.string()),
        ("file_name", pa.string()),
        ("source_uri", pa.string()),
        ("file_format", pa.string()),
        ("received_at", pa.timestamp("us")),
        ("parsed_at", pa.timestamp("us")),
        ("title_unit", pa.string()),
        ("title_period", pa.string()),
        ("error_count", pa.int32()),
        ("warning_count", pa.int32()),
    ]
)

_PROVENANCE = [("report_id", pa.string()), ("sheet", pa.string()), ("row_number", pa.int32())]

TONG_HOP = pa.schema(
    [
        *_PROVENANCE,
        ("indicator_code", pa.string()),
        ("label", pa.string()),
        ("reported_value", pa.int64()),
    ]
)

KET_NAP = pa.schema(
    [
        *_PROVENANCE,
        ("member_key", pa.string()),
        ("gender", pa.string()),
        ("ethnicity", pa.string()),
        ("category_code", pa.string()),
        ("work_unit_name", pa.string()),
        ("tax_code", pa.string()),
        ("admission_date", pa.date32()),
        ("decision_number", pa.string()),
        ("party_cell", pa.string()),
        ("birth_year", pa.int32()),
        ("age_at_admission", pa.int32()),
    ]
)

TO_CHUC = pa.schema(
    [
        *_PROVENANCE,
        ("tax_code", pa.string()),
        ("enterprise_name", pa.string()),
        ("ownership_type", pa.string()),
        ("industrial_zone", pa.string()),
        ("employees", pa.int64()),
        ("party_org_type", pa.string()),
        ("party_org_founded_date", pa.date32()),
        ("party_members", pa.int64()),
        ("superior_committee", pa.string()),
        ("has_union", pa.bool_()),
        ("union_founded_date", pa.date32()),
        ("union_members", pa.int64()),
        ("has_youth_org", pa.bool_()),
        ("youth_org_founded_date", pa.date32()),
        ("youth_members", pa.int64()),
    ]
)

FINDINGS = pa.schema(
    [
        ("report_id", pa.string()),
        ("file_name", pa.string()),
        ("sheet", pa.string()),
        ("row_number", pa.int32()),
        ("column_name", pa.string()),
        ("value", pa.string()),
        ("expected", pa.string()),
        ("rule_code", pa.string()),
        ("severity", pa.string()),
        ("message_vi", pa.string()),
        ("message_en", pa.string()),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "report": REPORT,
    "tong_hop": TONG_HOP,
    "ket_nap": KET_NAP,
    "to_chuc": TO_CHUC,
    "findings": FINDINGS,
}
