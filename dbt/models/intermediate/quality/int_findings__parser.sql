-- Parser findings, with the unit and period of their report version. Parsed folders are
-- immutable per report_id, so new report versions are appended and old ones never change.
{{
    config(
        materialized='incremental',
        unique_key='report_id',
        incremental_strategy='delete+insert',
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
        coalesce(findings.file_name, versions.file_name) as file_name
    from findings
    inner join versions
        on findings.report_id = versions.report_id
    {% if is_incremental() %}
        where findings.report_id not in (select distinct this.report_id from {{ this }} as this)
    {% endif %}
)

select * from final
