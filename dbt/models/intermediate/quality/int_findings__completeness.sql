-- DQ_MISSING_REPORT and DQ_LATE_REPORT (warnings): a unit that owes a period and sent nothing, and
-- a report that arrived after the deadline (var report_deadline_days after the period's end).
with

completeness as (
    select * from {{ ref('int_reporting_completeness') }}
),

final as (
    select
        cast(null as varchar) as report_id,
        unit_code,
        period_code,
        'DQ_MISSING_REPORT' as rule_code,
        cast(null as varchar) as sheet,
        cast(null as integer) as row_number,
        cast(null as varchar) as column_name,
        cast(null as varchar) as value,
        cast(deadline_date as varchar) as expected,
        'Đơn vị ' || unit_code || ' chưa gửi báo cáo kỳ ' || period_code as message_vi,
        'Unit ' || unit_code || ' has not sent its report for ' || period_code as message_en
    from completeness
    where status = 'missing' and is_expected
    union all
    select
        report_id,
        unit_code,
        period_code,
        'DQ_LATE_REPORT' as rule_code,
        cast(null as varchar) as sheet,
        cast(null as integer) as row_number,
        'received_at' as column_name,
        cast(received_at as varchar) as value,
        '<= ' || cast(deadline_date as varchar) as expected,
        'Báo cáo kỳ ' || period_code || ' nhận ngày ' || cast(cast(received_at as date) as varchar)
        || ', quá hạn ' || cast(deadline_date as varchar) as message_vi,
        'Report for ' || period_code || ' received ' || cast(cast(received_at as date) as varchar)
        || ', after the deadline ' || cast(deadline_date as varchar) as message_en
    from completeness
    where not is_on_time
)

select * from final
