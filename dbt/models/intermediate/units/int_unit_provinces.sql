-- The province of each registry unit (its latest registry row): what every fact carries beside
-- the unit, so BI users can filter by province without joining the unit dimension.
with

units as (
    select * from {{ ref('int_unit_ancestors') }}
),

final as (
    select distinct
        unit_code,
        province_code
    from units
)

select * from final
