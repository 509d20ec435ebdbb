-- No published figure is larger than the figure it is part of.
-- A check on mart_indicators in Dagster.
{{ config(meta={'dagster': {'ref': {'name': 'mart_indicators'}}}) }}

select
    parts.unit_code,
    parts.period_code,
    parts.indicator_code
from {{ ref('mart_indicators') }} as parts
inner join {{ ref('indicator_catalogue') }} as catalogue
    on parts.indicator_code = catalogue.indicator_code
inner join {{ ref('mart_indicators') }} as wholes
    on
        parts.scope_level = wholes.scope_level
        and parts.unit_code = wholes.unit_code
        and parts.period_code = wholes.period_code
        and catalogue.parent_code = wholes.indicator_code
where parts.reported_value > wholes.reported_value
