-- Reported and recomputed figures of every published report, one row per unit, period and
-- indicator (the first TongHop row when a label repeats). Incremental by published version, as
-- fct_admissions: a run adds the rows of versions published since, replacing those of the unit
-- and period they supersede.
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

published as (
    select * from {{ ref('int_published_reports') }}
),

summary_rows as (
    select * from {{ ref('stg_parsed__summary_rows') }}
    where indicator_code is not null
),

computed as (
    select * from {{ ref('int_indicators_computed') }}
),

reported as (
    select
        report_id,
        indicator_code,
        reported_value,
        row_number() over (
            partition by report_id, indicator_code order by row_number
        ) as occurrence
    from summary_rows
),

first_reported as (
    select * from reported
    where occurrence = 1
),

joined as (
    select
        coalesce(first_reported.report_id, computed.report_id) as report_id,
        coalesce(first_reported.indicator_code, computed.indicator_code) as indicator_code,
        first_reported.reported_value,
        computed.computed_value
    from first_reported
    full outer join computed
        on
            first_reported.report_id = computed.report_id
            and first_reported.indicator_code = computed.indicator_code
),

final as (
    select
        published.unit_code,
        published.period_code,
        published.period_index,
        joined.indicator_code,
        joined.reported_value,
        joined.computed_value,
        joined.report_id,
        published.parsed_at
    from joined
    inner join published
        on joined.report_id = published.report_id
    {{ new_report_versions_only('published') }}
)

select * from final
