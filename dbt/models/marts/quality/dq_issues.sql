{%- set warning_rule_models = [
    'int_findings__stock_movement',
    'int_findings__outlier',
    'int_findings__completeness',
] %}

with

blocking_findings as (
    select * from {{ ref('int_findings__blocking') }}
),

warning_findings as (
    {{ warehouse_rule_findings(warning_rule_models, 'warning') }}
),

-- Files the pull refused: no report version, so no report_id; the name gives unit and period.
pull_refusals as (
    select
        cast(null as varchar) as report_id,
        unit_code,
        period_code,
        rule_code,
        'error' as severity,
        'parser' as checked_by,
        cast(null as varchar) as sheet,
        cast(null as integer) as row_number,
        cast(null as varchar) as column_name,
        value,
        expected,
        message_vi,
        message_en,
        file_name
    from {{ ref('stg_pull__refusals') }}
),

unioned as (
    select * from blocking_findings
    union all
    select * from warning_findings
    union all
    select * from pull_refusals
),

numbered as (
    select
        *,
        row_number() over (
            partition by
                report_id, unit_code, period_code, rule_code, sheet, row_number, column_name, value
            order by message_vi
        ) as occurrence
    from unioned
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            "coalesce(report_id, '')", "'|'", "coalesce(unit_code, '')", "'|'",
            "coalesce(period_code, '')", "'|'", "rule_code", "'|'", "coalesce(sheet, '')", "'|'",
            "coalesce(cast(row_number as varchar), '')", "'|'", "coalesce(column_name, '')",
            "'|'", "coalesce(value, '')", "'|'", "cast(occurrence as varchar)",
        ])) }} as varchar) as finding_id,
        cast(report_id as varchar) as report_id,
        cast(unit_code as varchar) as unit_code,
        cast(period_code as varchar) as period_code,
        cast(rule_code as varchar) as rule_code,
        cast(severity as varchar) as severity,
        cast(checked_by as varchar) as checked_by,
        cast(sheet as varchar) as sheet,
        cast(row_number as integer) as row_number,
        cast(column_name as varchar) as column_name,
        cast(value as varchar) as value,
        cast(expected as varchar) as expected,
        cast(
            coalesce(message_vi, '') || ' / ' || coalesce(message_en, '') as varchar
        ) as message,
        cast(message_vi as varchar) as message_vi,
        cast(message_en as varchar) as message_en,
        cast(file_name as varchar) as file_name
    from numbered
)

select * from final
