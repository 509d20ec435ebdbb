{{ config(pre_hook=["{{ create_gate_quarantine() }}"]) }}

with

source as (
    select * from {{ gate_decisions() }}
),

final as (
    select
        cast(report_id as varchar) as report_id,
        cast(parsed_at as timestamp) as parsed_at,
        cast(check_name as varchar) as check_name,
        cast(table_name as varchar) as table_name,
        cast(expectation as varchar) as expectation,
        cast(gx_rule_code as varchar) as gx_rule_code,
        cast(column_name as varchar) as column_name,
        cast(sheet as varchar) as sheet,
        cast(row_count as integer) as row_count,
        cast(row_numbers as varchar) as row_numbers,
        cast(decided_at as timestamp) as decided_at,
        cast(run_id as varchar) as run_id
    from source
)

select * from final
