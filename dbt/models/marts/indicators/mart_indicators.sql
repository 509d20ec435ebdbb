-- Each leaf reporting unit's own figures, one row per unit, period and indicator: the reported
-- figure beside the figure recomputed from its detail sheets. Leaf reporting units report
-- themselves and have no reporting unit below them, so a plain sum over any set of rows counts
-- every figure once. Roll-ups to ancestors and provinces are in mart_indicators_rollup.
-- Incremental by published version, as int_indicator_values, whose rows it mirrors.
{{
    config(
        materialized='incremental',
        unique_key=['unit_code', 'period_code'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=["{{ drop_versions_not_in(ref('int_indicator_values')) }}"],
    )
}}

with

unit_values as (
    select * from {{ ref('int_indicator_values') }}
),

units as (
    select * from {{ ref('int_unit_ancestors') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

leaf_units as (
    select distinct
        unit_code,
        province_code
    from units
    where is_leaf_reporting_unit
),

final as (
    select
        cast(
            unit_values.unit_code || '|' || unit_values.period_code || '|'
            || unit_values.indicator_code
            as varchar
        ) as indicator_row_key,
        cast('reporting_unit' as varchar) as scope_level,
        cast(unit_values.unit_code as varchar) as unit_code,
        cast(leaf_units.province_code as varchar) as province_code,
        cast(unit_values.period_code as varchar) as period_code,
        cast(unit_values.indicator_code as varchar) as indicator_code,
        cast(catalogue.kind as varchar) as indicator_kind,
        cast(unit_values.reported_value as bigint) as reported_value,
        cast(unit_values.computed_value as bigint) as computed_value,
        cast(unit_values.reported_value - unit_values.computed_value as bigint) as difference,
        cast(unit_values.report_id as varchar) as report_id,
        cast(1 as integer) as unit_count,
        cast(unit_values.parsed_at as timestamp) as parsed_at
    from unit_values
    inner join leaf_units
        on unit_values.unit_code = leaf_units.unit_code
    left join catalogue
        on unit_values.indicator_code = catalogue.indicator_code
    {{ new_report_versions_only('unit_values') }}
)

select * from final
