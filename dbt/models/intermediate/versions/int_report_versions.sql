with

reports as (
    select * from {{ ref('stg_parsed__reports') }}
),

findings as (
    select * from {{ ref('stg_parsed__findings') }}
),

-- A file- or sheet-level parser error (no row) means a sheet's rows are partial or absent.
refused as (
    select distinct report_id
    from findings
    where severity = 'error' and row_number is null
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
        report_id in (select refused.report_id from refused) as has_refused_sheet,
        {{ period_index('period_code') }} as period_index,
        {{ period_start('period_code') }} as period_start,
        {{ period_end('period_code') }} as period_end
    from reports
)

select * from final
