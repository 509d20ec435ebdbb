-- Roll-ups per scope, period and indicator: every row that is not a leaf reporting unit's own
-- figure (those are mart_indicators). Roll-up rule: an ancestor unit or a province sums the
-- published figures of its leaf reporting units (units that report and have no reporting unit
-- below them), each counted once. Bloc committees report enterprises the district committees do
-- not, so summing districts and blocs does not double count. One row per code: a reporting
-- unit's own figures win over a roll-up under its code (a reporting unit with reporting units
-- below it keeps its own row here, scope_level reporting_unit), and a province roll-up wins over
-- the ancestor roll-up of the registry unit with the same code (the province unit `10`). Rows of
-- different scopes overlap: read one scope at a time, never sum across scopes.
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

unit_provinces as (
    select distinct
        unit_code,
        province_code
    from units
),

leaf_codes as (
    select distinct unit_code
    from units
    where is_leaf_reporting_unit
),

unit_level as (
    select
        'reporting_unit' as scope_level,
        unit_values.unit_code,
        unit_provinces.province_code,
        unit_values.period_code,
        unit_values.indicator_code,
        unit_values.reported_value,
        unit_values.computed_value,
        unit_values.report_id,
        1 as unit_count,
        unit_values.parsed_at
    from unit_values
    left join unit_provinces
        on unit_values.unit_code = unit_provinces.unit_code
),

ancestor_level as (
    select
        'ancestor' as scope_level,
        units.ancestor_unit_code as unit_code,
        max(units.province_code) as province_code,
        unit_values.period_code,
        unit_values.indicator_code,
        sum(unit_values.reported_value) as reported_value,
        sum(unit_values.computed_value) as computed_value,
        cast(null as varchar) as report_id,
        count(distinct unit_values.unit_code) as unit_count,
        cast(null as timestamp) as parsed_at
    from unit_values
    inner join units
        on unit_values.unit_code = units.unit_code
    where units.is_leaf_reporting_unit and units.ancestor_unit_code is not null
    group by units.ancestor_unit_code, unit_values.period_code, unit_values.indicator_code
),

province_level as (
    select
        'province' as scope_level,
        leaf_units.province_code as unit_code,
        leaf_units.province_code,
        unit_values.period_code,
        unit_values.indicator_code,
        sum(unit_values.reported_value) as reported_value,
        sum(unit_values.computed_value) as computed_value,
        cast(null as varchar) as report_id,
        count(distinct unit_values.unit_code) as unit_count,
        cast(null as timestamp) as parsed_at
    from unit_values
    inner join leaf_units
        on unit_values.unit_code = leaf_units.unit_code
    where leaf_units.province_code is not null
    group by leaf_units.province_code, unit_values.period_code, unit_values.indicator_code
),

unioned as (
    select * from unit_level
    union all
    select * from ancestor_level
    union all
    select * from province_level
),

ranked as (
    select
        *,
        row_number() over (
            partition by unit_code, period_code, indicator_code
            order by
                case scope_level
                    when 'reporting_unit' then 1
                    when 'province' then 2
                    else 3
                end
        ) as scope_rank
    from unioned
),

deduplicated as (
    select * from ranked
    where
        scope_rank = 1
        and not (
            scope_level = 'reporting_unit'
            and unit_code in (select leaf_codes.unit_code from leaf_codes)
        )
),

final as (
    select
        cast(
            unioned.unit_code || '|' || unioned.period_code || '|' || unioned.indicator_code
            as varchar
        ) as indicator_row_key,
        cast(unioned.scope_level as varchar) as scope_level,
        cast(unioned.unit_code as varchar) as unit_code,
        cast(unioned.province_code as varchar) as province_code,
        cast(unioned.period_code as varchar) as period_code,
        cast(unioned.indicator_code as varchar) as indicator_code,
        cast(catalogue.kind as varchar) as indicator_kind,
        cast(unioned.reported_value as bigint) as reported_value,
        cast(unioned.computed_value as bigint) as computed_value,
        cast(unioned.reported_value - unioned.computed_value as bigint) as difference,
        cast(unioned.report_id as varchar) as report_id,
        cast(unioned.unit_count as integer) as unit_count,
        cast(unioned.parsed_at as timestamp) as parsed_at
    from deduplicated as unioned
    left join catalogue
        on unioned.indicator_code = catalogue.indicator_code
)

select * from final
