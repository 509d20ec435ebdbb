-- The unit each registry unit's history rolls up to today (the 2025 reform crosswalk): follow
-- successor_unit_code until a unit has none.
with recursive

registry as (
    select * from {{ ref('stg_reference__reporting_units') }}
),

successor_links as (
    select
        unit_code,
        max(successor_unit_code) as successor_unit_code
    from registry
    group by unit_code
),

chain as (
    select
        unit_code,
        unit_code as current_unit_code,
        0 as depth
    from successor_links
    union all
    select
        chain.unit_code,
        successor_links.successor_unit_code as current_unit_code,
        chain.depth + 1 as depth
    from chain
    inner join successor_links
        on chain.current_unit_code = successor_links.unit_code
    where successor_links.successor_unit_code is not null and chain.depth < 20
),

ranked as (
    select
        unit_code,
        current_unit_code,
        row_number() over (partition by unit_code order by depth desc) as depth_rank
    from chain
),

final as (
    select
        unit_code,
        current_unit_code
    from ranked
    where depth_rank = 1
)

select * from final
