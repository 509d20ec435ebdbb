-- DQ_SUMMARY_DETAIL: a TongHop figure that the detail sheets determine must equal the figure
-- recomputed from them (int_indicators_computed holds the contract's recomputation rule). Not run
-- on a report whose parser refused a sheet or the file: the comparison would only repeat that.
with

summary_rows as (
    select * from {{ ref('stg_parsed__summary_rows') }}
    where indicator_code is not null
),

computed as (
    select * from {{ ref('int_indicators_computed') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

mismatches as (
    select
        summary_rows.report_id,
        summary_rows.sheet,
        summary_rows.row_number,
        summary_rows.indicator_code,
        summary_rows.reported_value,
        computed.computed_value
    from summary_rows
    inner join computed
        on
            summary_rows.report_id = computed.report_id
            and summary_rows.indicator_code = computed.indicator_code
    where summary_rows.reported_value <> computed.computed_value
),

final as (
    select
        mismatches.report_id,
        versions.unit_code,
        versions.period_code,
        'DQ_SUMMARY_DETAIL' as rule_code,
        mismatches.sheet,
        mismatches.row_number,
        mismatches.indicator_code as column_name,
        cast(mismatches.reported_value as varchar) as value,
        cast(mismatches.computed_value as varchar) as expected,
        'Số tổng hợp ' || mismatches.indicator_code || ' = '
        || cast(mismatches.reported_value as varchar) || ' khác số tính từ bảng chi tiết = '
        || cast(mismatches.computed_value as varchar) as message_vi,
        'Summary ' || mismatches.indicator_code || ' = '
        || cast(mismatches.reported_value as varchar) || ' differs from the detail sheets = '
        || cast(mismatches.computed_value as varchar) as message_en
    from mismatches
    inner join versions
        on mismatches.report_id = versions.report_id
    where not versions.has_refused_sheet
)

select * from final
