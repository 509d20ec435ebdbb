-- Which figures a resubmission changed: each accepted version against the accepted version of the
-- same unit and period before it, one row per TongHop indicator whose value differs.
with

statuses as (
    select * from {{ ref('int_report_status') }}
    where not is_quarantined
),

summary_rows as (
    select * from {{ ref('stg_parsed__summary_rows') }}
    where indicator_code is not null
),

consecutive as (
    select
        unit_code,
        period_code,
        report_id as new_report_id,
        version as new_version,
        received_at as restated_at,
        lag(report_id) over by_unit_period as old_report_id,
        lag(version) over by_unit_period as old_version
    from statuses
    window by_unit_period as (partition by unit_code, period_code order by version)
),

values_per_report as (
    select
        report_id,
        indicator_code,
        min(reported_value) as reported_value
    from summary_rows
    group by report_id, indicator_code
),

pairs as (
    select * from consecutive
    where old_report_id is not null
),

-- Each pair once for its old and once for its new report, so that the indicators either version
-- reports come from an equality join (a join on "either report" is a nested loop over every
-- figure of every report).
pair_reports as (
    select
        *,
        old_report_id as report_id
    from pairs
    union all
    select
        *,
        new_report_id as report_id
    from pairs
),

pair_indicators as (
    select distinct
        pair_reports.unit_code,
        pair_reports.period_code,
        pair_reports.old_report_id,
        pair_reports.old_version,
        pair_reports.new_report_id,
        pair_reports.new_version,
        pair_reports.restated_at,
        values_per_report.indicator_code
    from pair_reports
    inner join values_per_report
        on pair_reports.report_id = values_per_report.report_id
),

compared as (
    select
        pair_indicators.unit_code,
        pair_indicators.period_code,
        pair_indicators.indicator_code,
        pair_indicators.old_report_id,
        pair_indicators.old_version,
        old_values.reported_value as old_value,
        pair_indicators.new_report_id,
        pair_indicators.new_version,
        new_values.reported_value as new_value,
        pair_indicators.restated_at
    from pair_indicators
    left join values_per_report as old_values
        on
            pair_indicators.old_report_id = old_values.report_id
            and pair_indicators.indicator_code = old_values.indicator_code
    left join values_per_report as new_values
        on
            pair_indicators.new_report_id = new_values.report_id
            and pair_indicators.indicator_code = new_values.indicator_code
),

final as (
    select
        cast(
            new_report_id || '|' || indicator_code as varchar
        ) as restatement_key,
        cast(unit_code as varchar) as unit_code,
        cast(period_code as varchar) as period_code,
        cast(indicator_code as varchar) as indicator_code,
        cast(old_report_id as varchar) as old_report_id,
        cast(old_version as integer) as old_version,
        cast(old_value as bigint) as old_value,
        cast(new_report_id as varchar) as new_report_id,
        cast(new_version as integer) as new_version,
        cast(new_value as bigint) as new_value,
        cast(new_value - old_value as bigint) as value_change,
        cast(restated_at as timestamp) as restated_at
    from compared
    where old_value is distinct from new_value
)

select * from final
