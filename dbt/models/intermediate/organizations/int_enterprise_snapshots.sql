-- ToChuc rows of published reports: one row per enterprise, reporting unit and period (the first
-- row when a report lists a tax code twice). Incremental by published version, as
-- fct_admissions.
{{
    config(
        materialized='incremental',
        unique_key=['unit_code', 'period_code'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=["{{ drop_versions_not_in(ref('int_published_reports')) }}"],
    )
}}

with

organizations as (
    select * from {{ ref('int_organizations_enriched') }}
),

published as (
    select published_reports.report_id
    from {{ ref('int_published_reports') }} as published_reports
    {{ new_report_versions_only('published_reports') }}
),

ranked as (
    select
        organizations.*,
        row_number() over (
            partition by organizations.report_id, organizations.tax_code
            order by organizations.row_number
        ) as tax_code_occurrence
    from organizations
    inner join published
        on organizations.report_id = published.report_id
    where organizations.tax_code is not null
),

final as (
    select * from ranked
    where tax_code_occurrence = 1
)

select * from final
