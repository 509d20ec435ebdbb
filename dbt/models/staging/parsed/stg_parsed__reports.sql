with

source as (
    {{ current_parsed_rows('report') }}
),

final as (
    select
        cast(report_id as varchar) as report_id,
        cast(unit_code as varchar) as unit_code,
        cast(period_code as varchar) as period_code,
        cast(version as integer) as version,
        cast(sha256 as varchar) as sha256,
        cast(file_name as varchar) as file_name,
        cast(source_uri as varchar) as source_uri,
        cast(file_format as varchar) as file_format,
        cast(received_at as timestamp) as received_at,
        cast(parsed_at as timestamp) as parsed_at,
        cast(title_unit as varchar) as title_unit,
        cast(title_period as varchar) as title_period,
        cast(error_count as integer) as parser_error_count,
        cast(warning_count as integer) as parser_warning_count
    from source
)

select * from final
