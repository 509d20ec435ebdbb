with

source as (
    select * from {{ source('targets', 'plan_targets') }}
),

final as (
    select
        trim(plan_code) as plan_code,
        trim(plan_name) as plan_name,
        trim(indicator_code) as indicator_code,
        trim(scope_unit_code) as scope_unit_code,
        trim(window_kind) as window_kind,
        trim(window_start) as window_start,
        trim(window_end) as window_end,
        trim(target_kind) as target_kind,
        cast(nullif(trim(target_min), '') as decimal(18, 2)) as target_min,
        cast(nullif(trim(target_max), '') as decimal(18, 2)) as target_max,
        cast(nullif(trim(share_pct), '') as decimal(9, 4)) as share_pct,
        nullif(trim(stock_indicator_code), '') as stock_indicator_code,
        cast(nullif(trim(plan_start), '') as date) as plan_start,
        nullif(trim(note), '') as note
    from source
)

select * from final
