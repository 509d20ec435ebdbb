with

periods as (
    select * from {{ ref('int_periods') }}
),

final as (
    select
        cast(period_code as varchar) as period_code,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(year as integer) as year,
        cast(half as integer) as half,
        cast(period_index as integer) as period_index,
        cast(
            case when half = 1 then '6 tháng đầu năm ' else '6 tháng cuối năm ' end
            || cast(year as varchar) as varchar
        ) as period_label_vi
    from periods
)

select * from final
