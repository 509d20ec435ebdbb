-- Progress against the province's plan targets, one row per target and reported period in its
-- window (as_of_period_code). The scope's figures come from mart_indicators (a leaf reporting
-- unit's own row) or mart_indicators_rollup (any other unit's own row, else its roll-up).
-- Target kinds:
--   count          actual = sum since window start; target = target_min over the whole window.
--   yearly_count   actual = sum since window start; target = target_min a year x window years.
--   share_of_stock each calendar year on its own: actual = sum since the later of window start
--                  and 1 January; target = ceiling(share_pct % x the stock indicator at as-of).
-- attainment_pct = actual / target x 100, truncated to 1 decimal as the reports write shares.
-- status: achieved (actual >= target), on_track (actual >= target x elapsed share), else behind.
with

targets as (
    select * from {{ ref('stg_targets__plan_targets') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

indicators as (
    select * from {{ ref('mart_indicators') }}
    union all
    select * from {{ ref('mart_indicators_rollup') }}
),

scope_values as (
    select
        unit_code,
        period_code,
        indicator_code,
        reported_value
    from (
        select
            *,
            row_number() over (
                partition by unit_code, period_code, indicator_code
                order by
                    case scope_level
                        when 'reporting_unit' then 1
                        when 'ancestor' then 2
                        else 3
                    end
            ) as scope_rank
        from indicators
    ) as ranked
    where scope_rank = 1
),

scope_last_periods as (
    select
        scope_values.unit_code,
        max(periods.period_index) as last_period_index
    from scope_values
    inner join periods
        on scope_values.period_code = periods.period_code
    group by scope_values.unit_code
),

windowed_targets as (
    select
        targets.*,
        {{ period_index('targets.window_start') }} as window_start_index,
        {{ period_index('targets.window_end') }} as window_end_index
    from targets
),

as_of as (
    select
        windowed_targets.*,
        periods.period_code as as_of_period_code,
        periods.period_index as as_of_index,
        periods.year as as_of_year,
        case
            when windowed_targets.target_kind = 'share_of_stock'
                then greatest(windowed_targets.window_start_index, periods.year * 2)
            else windowed_targets.window_start_index
        end as evaluation_start_index,
        case
            when windowed_targets.target_kind = 'share_of_stock'
                then least(windowed_targets.window_end_index, periods.year * 2 + 1)
            else windowed_targets.window_end_index
        end as evaluation_end_index
    from windowed_targets
    inner join scope_last_periods
        on windowed_targets.scope_unit_code = scope_last_periods.unit_code
    inner join periods
        on
            periods.period_index between windowed_targets.window_start_index
            and least(windowed_targets.window_end_index, scope_last_periods.last_period_index)
),

actuals as (
    select
        as_of.plan_code,
        as_of.indicator_code,
        as_of.scope_unit_code,
        as_of.window_start,
        as_of.as_of_period_code,
        coalesce(sum(
            case
                when periods.period_index >= as_of.evaluation_start_index
                    then scope_values.reported_value
            end
        ), 0) as actual_value,
        coalesce(sum(scope_values.reported_value), 0) as window_actual_value
    from as_of
    inner join periods
        on periods.period_index between as_of.window_start_index and as_of.as_of_index
    left join scope_values
        on
            as_of.scope_unit_code = scope_values.unit_code
            and as_of.indicator_code = scope_values.indicator_code
            and periods.period_code = scope_values.period_code
    group by
        as_of.plan_code,
        as_of.indicator_code,
        as_of.scope_unit_code,
        as_of.window_start,
        as_of.as_of_period_code
),

evaluated as (
    select
        as_of.*,
        actuals.actual_value,
        actuals.window_actual_value,
        stocks.reported_value as stock_value,
        cast(as_of.as_of_index - as_of.evaluation_start_index + 1 as double)
        / (as_of.evaluation_end_index - as_of.evaluation_start_index + 1) as elapsed_share,
        case as_of.target_kind
            when 'count' then cast(as_of.target_min as double)
            when 'range' then cast(as_of.target_min as double)
            when 'yearly_count'
                then
                    cast(as_of.target_min as double)
                    * (as_of.window_end_index - as_of.window_start_index + 1) / 2.0
            when 'share_of_stock'
                then ceiling(cast(as_of.share_pct as double) * stocks.reported_value / 100.0)
        end as target_value
    from as_of
    inner join actuals
        on
            as_of.plan_code = actuals.plan_code
            and as_of.indicator_code = actuals.indicator_code
            and as_of.scope_unit_code = actuals.scope_unit_code
            and as_of.window_start = actuals.window_start
            and as_of.as_of_period_code = actuals.as_of_period_code
    left join scope_values as stocks
        on
            as_of.scope_unit_code = stocks.unit_code
            and as_of.stock_indicator_code = stocks.indicator_code
            and as_of.as_of_period_code = stocks.period_code
),

final as (
    select
        cast(
            plan_code || '|' || indicator_code || '|' || scope_unit_code || '|' || window_start
            || '|' || as_of_period_code as varchar
        ) as attainment_key,
        cast(plan_code as varchar) as plan_code,
        cast(plan_name as varchar) as plan_name,
        cast(indicator_code as varchar) as indicator_code,
        cast(scope_unit_code as varchar) as scope_unit_code,
        cast(window_kind as varchar) as window_kind,
        cast(window_start as varchar) as window_start,
        cast(window_end as varchar) as window_end,
        cast(target_kind as varchar) as target_kind,
        cast(as_of_period_code as varchar) as as_of_period_code,
        cast({{ period_code_from_index('evaluation_start_index') }} as varchar)
            as evaluation_start,
        cast(actual_value as bigint) as actual_value,
        cast(window_actual_value as bigint) as window_actual_value,
        cast(stock_value as bigint) as stock_value,
        cast(target_min as decimal(18, 2)) as target_min,
        cast(target_max as decimal(18, 2)) as target_max,
        cast(share_pct as decimal(9, 4)) as share_pct,
        cast(stock_indicator_code as varchar) as stock_indicator_code,
        cast(target_value as decimal(18, 2)) as target_value,
        cast(elapsed_share as double) as elapsed_share,
        cast({{ truncated_pct('actual_value', 'target_value', 1) }} as decimal(9, 1))
            as attainment_pct,
        cast(
            case
                when target_value is null then null
                when actual_value >= target_value then 'achieved'
                when actual_value >= target_value * elapsed_share then 'on_track'
                else 'behind'
            end as varchar
        ) as status,
        cast(target_max is not null and actual_value > target_max as boolean) as is_above_max,
        cast(note as varchar) as note
    from evaluated
)

select * from final
