-- DQ_OUTLIER (warning): a published figure far from the unit's own history of the same half in
-- earlier years. Needs at least var outlier_min_points earlier points; flags a modified z-score
-- 0.6745 * |value - median| / MAD above var outlier_z_threshold, with MAD floored at 1 (a count
-- cannot vary by less).
with

indicator_values as (
    select * from {{ ref('int_indicator_values') }}
    where reported_value is not null
),

summary_rows as (
    select * from {{ ref('stg_parsed__summary_rows') }}
),

history as (
    select
        current_value.report_id,
        current_value.unit_code,
        current_value.period_code,
        current_value.indicator_code,
        current_value.reported_value,
        earlier.reported_value as earlier_value
    from indicator_values as current_value
    inner join indicator_values as earlier
        on
            current_value.unit_code = earlier.unit_code
            and current_value.indicator_code = earlier.indicator_code
            and current_value.period_index > earlier.period_index
            and (current_value.period_index - earlier.period_index) % 2 = 0
),

medians as (
    select
        report_id,
        unit_code,
        period_code,
        indicator_code,
        reported_value,
        count(*) as earlier_points,
        median(earlier_value) as history_median
    from history
    group by report_id, unit_code, period_code, indicator_code, reported_value
),

deviations as (
    select
        medians.report_id,
        medians.indicator_code,
        median(abs(history.earlier_value - medians.history_median)) as history_mad
    from medians
    inner join history
        on
            medians.report_id = history.report_id
            and medians.indicator_code = history.indicator_code
    group by medians.report_id, medians.indicator_code
),

scored as (
    select
        medians.*,
        deviations.history_mad,
        0.6745 * abs(medians.reported_value - medians.history_median)
        / greatest(deviations.history_mad, 1) as modified_z
    from medians
    inner join deviations
        on
            medians.report_id = deviations.report_id
            and medians.indicator_code = deviations.indicator_code
    where medians.earlier_points >= {{ var('outlier_min_points') }}
),

final as (
    select
        scored.report_id,
        scored.unit_code,
        scored.period_code,
        'DQ_OUTLIER' as rule_code,
        summary_rows.sheet,
        summary_rows.row_number,
        scored.indicator_code as column_name,
        cast(scored.reported_value as varchar) as value,
        'trung vị / median ' || cast(scored.history_median as varchar) as expected,
        'Giá trị ' || scored.indicator_code || ' = ' || cast(scored.reported_value as varchar)
        || ' bất thường so với trung vị cùng kỳ các năm trước '
        || cast(scored.history_median as varchar) as message_vi,
        'Value ' || scored.indicator_code || ' = ' || cast(scored.reported_value as varchar)
        || ' is an outlier against the median of the same half in earlier years '
        || cast(scored.history_median as varchar) as message_en
    from scored
    left join summary_rows
        on
            scored.report_id = summary_rows.report_id
            and scored.indicator_code = summary_rows.indicator_code
    where scored.modified_z > {{ var('outlier_z_threshold') }}
)

select * from final
