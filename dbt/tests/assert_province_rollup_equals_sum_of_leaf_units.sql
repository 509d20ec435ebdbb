-- The province roll-up equals the sum over its leaf reporting units' published figures.
-- A check on mart_indicators in Dagster.
{{ config(meta={'dagster': {'ref': {'name': 'mart_indicators'}}}) }}

with

leaves as (
    select distinct
        unit_code,
        province_code
    from {{ ref('int_unit_ancestors') }}
    where is_leaf_reporting_unit
),

summed as (
    select
        leaves.province_code,
        indicators.period_code,
        indicators.indicator_code,
        sum(indicators.reported_value) as reported_value
    from {{ ref('mart_indicators') }} as indicators
    inner join leaves
        on indicators.unit_code = leaves.unit_code
    group by leaves.province_code, indicators.period_code, indicators.indicator_code
)

select summed.*
from summed
left join {{ ref('mart_indicators_rollup') }} as provinces
    on
        provinces.scope_level = 'province'
        and summed.province_code = provinces.unit_code
        and summed.period_code = provinces.period_code
        and summed.indicator_code = provinces.indicator_code
where summed.reported_value is distinct from provinces.reported_value
