{%- set warning_rule_models = [
    'int_findings__stock_movement',
    'int_findings__outlier',
    'int_findings__completeness',
] %}

with

blocking_findings as (
    select * from {{ ref('int_findings__blocking') }}
),

rules as (
    select * from {{ ref('dq_rules') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

warning_findings as (
    {%- for rule_model in warning_rule_models %}
        select
            report_id,
            unit_code,
            period_code,
            rule_code,
            sheet,
            row_number,
            column_name,
            value,
            expected,
            message_vi,
            message_en
        from {{ ref(rule_model) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

unioned as (
    select * from blocking_findings
    union all
    select
        warning_findings.report_id,
        warning_findings.unit_code,
        warning_findings.period_code,
        warning_findings.rule_code,
        coalesce(rules.severity, 'warning') as severity,
        'warehouse' as checked_by,
        warning_findings.sheet,
        warning_findings.row_number,
        warning_findings.column_name,
        warning_findings.value,
        warning_findings.expected,
        warning_findings.message_vi,
        warning_findings.message_en,
        versions.file_name
    from warning_findings
    left join rules
        on warning_findings.rule_code = rules.rule_code
    left join versions
        on warning_findings.report_id = versions.report_id
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
