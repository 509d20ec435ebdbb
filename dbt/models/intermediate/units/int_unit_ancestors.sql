-- Each registry unit with every unit above it (parent_unit_code chain, latest registry row per
-- unit), and whether it is a leaf reporting unit: it reports and no unit below it reports. Roll-ups
-- sum leaf reporting units only, so each report is counted once.
with recursive

registry as (
    select * from {{ ref('stg_reference__reporting_units') }}
),

latest_units as (
    select
        unit_code,
        parent_unit_code,
        province_code,
        is_reporting
    from (
        select
            *,
            row_number() over (
                partition by unit_code order by valid_from desc nulls last
            ) as recency
        from registry
    ) as ranked
    where recency = 1
),

ancestry as (
    select
        unit_code,
        parent_unit_code as ancestor_unit_code,
        1 as depth
    from latest_units
    where parent_unit_code is not null
    union all
    select
        ancestry.unit_code,
        latest_units.parent_unit_code as ancestor_unit_code,
        ancestry.depth + 1 as depth
    from ancestry
    inner join latest_units
        on ancestry.ancestor_unit_code = latest_units.unit_code
    where latest_units.parent_unit_code is not null and ancestry.depth < 20
),

reporting_below as (
    select distinct ancestry.ancestor_unit_code as unit_code
    from ancestry
    inner join latest_units
        on ancestry.unit_code = latest_units.unit_code
    where latest_units.is_reporting
),

final as (
    select
        latest_units.unit_code,
        latest_units.province_code,
        latest_units.is_reporting,
        latest_units.is_reporting and reporting_below.unit_code is null as is_leaf_reporting_unit,
        ancestry.ancestor_unit_code,
        ancestry.depth
    from latest_units
    left join reporting_below
        on latest_units.unit_code = reporting_below.unit_code
    left join ancestry
        on latest_units.unit_code = ancestry.unit_code
)

select * from final
