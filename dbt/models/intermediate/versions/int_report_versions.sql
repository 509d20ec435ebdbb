with

reports as (
    select * from {{ ref('stg_parsed__reports') }}
),

final as (
    select
        report_id,
        unit_code,
        period_code,
        version,
        sha256,
        file_name,
        source_uri,
        file_format,
        received_at,
        parsed_at,
        title_unit,
        title_period,
        parser_error_count,
        parser_warning_count,
        {{ period_index('period_code') }} as period_index,
        {{ period_start('period_code') }} as period_start,
        {{ period_end('period_code') }} as period_end
    from reports
)

select * from final
