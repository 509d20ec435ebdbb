with

snapshots as (
    select * from {{ ref('int_enterprise_snapshots') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by tax_code order by period_index desc, unit_code asc
        ) as recency,
        min(period_code) over (partition by tax_code) as first_period_code,
        max(period_code) over (partition by tax_code) as last_period_code
    from snapshots
),

final as (
    select
        cast(tax_code as varchar) as tax_code,
        cast(enterprise_name as varchar) as enterprise_name,
        cast(ownership_type as varchar) as ownership_type,
        cast(ownership_label as varchar) as ownership_label,
        cast(is_private_sector as boolean) as is_private_sector,
        cast(industrial_zone as varchar) as industrial_zone,
        cast(employees as bigint) as employees,
        cast(
            case
                when employees is null then 'unknown'
                when employees < 10 then 'lt_10'
                when employees < 20 then '10_19'
                when employees < 50 then '20_49'
                when employees < 200 then '50_199'
                else '200_plus'
            end as varchar
        ) as size_band,
        cast(unit_code as varchar) as unit_code,
        cast(first_period_code as varchar) as first_period_code,
        cast(last_period_code as varchar) as last_period_code
    from ranked
    where recency = 1
)

select * from final
