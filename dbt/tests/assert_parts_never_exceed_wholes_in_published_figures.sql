-- No published figure is larger than the figure it is part of, in a unit's own rows or a roll-up.
-- A check on mart_indicators in Dagster.
{{ config(meta={'dagster': {'ref': {'name': 'mart_indicators'}}}) }}

with

figures as (
    select * from {{ ref('mart_indicators') }}
    union all
    select * from {{ ref('mart_indicators_rollup') }}
)

select
    parts.unit_code,
    parts.period_code,
    parts.indicator_code
from figures as parts
inner join {{ ref('indicator_catalogue') }} as catalogue
    on parts.indicator_code = catalogue.indicator_code
inner join figures as wholes
    on
        parts.scope_level = wholes.scope_level
        and parts.unit_code = wholes.unit_code
        and parts.period_code = wholes.period_code
        and catalogue.parent_code = wholes.indicator_code
where parts.reported_value > wholes.reported_value
