-- Parser findings, with the unit and period of their report version. Incremental: a run takes
-- the findings of versions parsed since the last run (new, or parsed again by a newer parser) and
-- replaces that version's rows; the post-hook drops rows of a version parsed again without them.
{{
    config(
        materialized='incremental',
        unique_key='report_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=["{{ drop_versions_not_in(ref('int_report_versions')) }}"],
    )
}}

with

findings as (
    select * from {{ ref('stg_parsed__findings') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

final as (
    select
        findings.report_id,
        versions.unit_code,
        versions.period_code,
        findings.rule_code,
        findings.severity,
        'parser' as checked_by,
        findings.sheet,
        findings.row_number,
        findings.column_name,
        findings.value,
        findings.expected,
        findings.message_vi,
        findings.message_en,
        coalesce(findings.file_name, versions.file_name) as file_name,
        versions.parsed_at
    from findings
    inner join versions
        on findings.report_id = versions.report_id
    {{ new_report_versions_only('versions') }}
)

select * from final
