with

completeness as (
    select * from {{ ref('int_reporting_completeness') }}
),

final as (
    select
        cast(unit_code || '|' || period_code as varchar) as unit_period_key,
        cast(unit_code as varchar) as unit_code,
        cast(period_code as varchar) as period_code,
        cast(status as varchar) as status,
        cast(is_expected as boolean) as is_expected,
        cast(report_id as varchar) as report_id,
        cast(file_name as varchar) as file_name,
        cast(received_at as timestamp) as received_at,
        cast(deadline_date as date) as deadline_date,
        cast(is_on_time as boolean) as on_time,
        cast(version_count as integer) as version_count
    from completeness
)

select * from final
