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

-- Each figure with the unit's figures of the same half in earlier years, as a list: a window,
-- not a join of every figure with every earlier one, so memory stays one short list a figure.
history as (
    select
        report_id,
        unit_code,
        period_code,
        indicator_code,
        reported_value,
        list(reported_value) over (
            partition by unit_code, indicator_code, period_index % 2
            order by period_index
            rows between unbounded preceding and 1 preceding
        ) as earlier_values
    from indicator_values
),

medians as (
    select
        *,
        list_aggregate(earlier_values, 'median') as history_median
    from history
    where len(earlier_values) >= {{ var('outlier_min_points') }}
),

deviations as (
    select
        *,
        list_aggregate(
            list_transform(earlier_values, lambda earlier: abs(earlier - history_median)),
            'median'
        ) as history_mad
    from medians
),

scored as (
    select
        *,
        0.6745 * abs(reported_value - history_median) / greatest(history_mad, 1) as modified_z
    from deviations
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
