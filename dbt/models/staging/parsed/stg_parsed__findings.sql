with

source as (
    {{ current_parsed_rows('findings') }}
),

final as (
    select
        cast(report_id as varchar) as report_id,
        cast(file_name as varchar) as file_name,
        cast(sheet as varchar) as sheet,
        cast(row_number as integer) as row_number,
        cast(column_name as varchar) as column_name,
        cast(value as varchar) as value,
        cast(expected as varchar) as expected,
        cast(rule_code as varchar) as rule_code,
        cast(severity as varchar) as severity,
        cast(message_vi as varchar) as message_vi,
        cast(message_en as varchar) as message_en
    from source
)

select * from final
