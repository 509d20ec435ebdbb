-- DQ_CUMULATIVE_SHRINK: a flow figure adds to the unit's running total since its first report,
-- so a negative flow would make a cumulative figure shrink.
with

summary_rows as (
    select * from {{ ref('stg_parsed__summary_rows') }}
    where indicator_code is not null
),

catalogue as (
    select indicator_code from {{ ref('indicator_catalogue') }}
    where kind = 'flow'
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

final as (
    select
        summary_rows.report_id,
        versions.unit_code,
        versions.period_code,
        'DQ_CUMULATIVE_SHRINK' as rule_code,
        summary_rows.sheet,
        summary_rows.row_number,
        summary_rows.indicator_code as column_name,
        cast(summary_rows.reported_value as varchar) as value,
        '>= 0' as expected,
        'Số lũy kế của ' || summary_rows.indicator_code || ' sẽ giảm: số trong kỳ là '
        || cast(summary_rows.reported_value as varchar) as message_vi,
        'The cumulative total of ' || summary_rows.indicator_code
        || ' would shrink: the period figure is '
        || cast(summary_rows.reported_value as varchar) as message_en
    from summary_rows
    inner join catalogue
        on summary_rows.indicator_code = catalogue.indicator_code
    inner join versions
        on summary_rows.report_id = versions.report_id
    where summary_rows.reported_value < 0
)

select * from final
