with

source as (
    {{ current_parsed_rows('tong_hop') }}
),

final as (
    select
        cast(report_id as varchar) as report_id,
        cast(sheet as varchar) as sheet,
        cast(row_number as integer) as row_number,
        cast(indicator_code as varchar) as indicator_code,
        cast(label as varchar) as label,
        cast(reported_value as bigint) as reported_value
    from source
)

select * from final
