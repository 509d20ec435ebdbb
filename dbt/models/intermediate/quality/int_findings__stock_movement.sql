-- DQ_STOCK_MOVEMENT (warning): the period-end stock of grassroots party organisations in private
-- units (tcd_kttn) moves from the previous published period by those founded (tcd_thanh_lap_kttn)
-- minus those dissolved (derived from the ToChuc snapshots). Judged on published reports only,
-- because it needs the accepted previous period; it never quarantines.
with

indicator_values as (
    select * from {{ ref('int_indicator_values') }}
),

events as (
    select * from {{ ref('int_organization_events') }}
),

summary_rows as (
    select * from {{ ref('stg_parsed__summary_rows') }}
    where indicator_code = 'tcd_kttn'
),

stocks as (
    select
        unit_code,
        period_code,
        period_index,
        report_id,
        reported_value as stock
    from indicator_values
    where indicator_code = 'tcd_kttn' and reported_value is not null
),

founded as (
    select
        report_id,
        reported_value as founded_count
    from indicator_values
    where indicator_code = 'tcd_thanh_lap_kttn'
),

dissolved as (
    select
        unit_code,
        period_code,
        count(*) as dissolved_count
    from events
    where org_kind = 'party' and event_type = 'dissolved' and is_private_sector
    group by unit_code, period_code
),

movements as (
    select
        current_stock.report_id,
        current_stock.unit_code,
        current_stock.period_code,
        current_stock.stock,
        previous_stock.stock as previous_stock,
        coalesce(founded.founded_count, 0) as founded_count,
        coalesce(dissolved.dissolved_count, 0) as dissolved_count,
        previous_stock.stock + coalesce(founded.founded_count, 0)
        - coalesce(dissolved.dissolved_count, 0) as expected_stock
    from stocks as current_stock
    inner join stocks as previous_stock
        on
            current_stock.unit_code = previous_stock.unit_code
            and current_stock.period_index = previous_stock.period_index + 1
    left join founded
        on current_stock.report_id = founded.report_id
    left join dissolved
        on
            current_stock.unit_code = dissolved.unit_code
            and current_stock.period_code = dissolved.period_code
),

final as (
    select
        movements.report_id,
        movements.unit_code,
        movements.period_code,
        'DQ_STOCK_MOVEMENT' as rule_code,
        summary_rows.sheet,
        summary_rows.row_number,
        'tcd_kttn' as column_name,
        cast(movements.stock as varchar) as value,
        cast(movements.expected_stock as varchar) as expected,
        'Số tổ chức cơ sở đảng cuối kỳ ' || cast(movements.stock as varchar)
        || ' khác số đầu kỳ ' || cast(movements.previous_stock as varchar) || ' + thành lập '
        || cast(movements.founded_count as varchar) || ' - giải thể '
        || cast(movements.dissolved_count as varchar) as message_vi,
        'Period-end party organisations ' || cast(movements.stock as varchar)
        || ' differ from the previous ' || cast(movements.previous_stock as varchar)
        || ' + founded ' || cast(movements.founded_count as varchar) || ' - dissolved '
        || cast(movements.dissolved_count as varchar) as message_en
    from movements
    left join summary_rows
        on movements.report_id = summary_rows.report_id
    where movements.stock <> movements.expected_stock
)

select * from final
