-- Findings known before a report is accepted: the parser's and the warehouse rules that look at
-- one report (or at earlier reports only). Any error here quarantines the report version.
{%- set rule_models = [
    'int_findings__part_le_whole',
    'int_findings__summary_detail',
    'int_findings__taxcode_unknown',
    'int_findings__duplicate_person',
    'int_findings__cumulative_shrink',
] %}

with

parser_findings as (
    select
        report_id,
        unit_code,
        period_code,
        rule_code,
        severity,
        checked_by,
        sheet,
        row_number,
        column_name,
        value,
        expected,
        message_vi,
        message_en,
        file_name
    from {{ ref('int_findings__parser') }}
),

rules as (
    select * from {{ ref('dq_rules') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

warehouse_findings as (
    {%- for rule_model in rule_models %}
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

final as (
    select
        report_id,
        unit_code,
        period_code,
        rule_code,
        severity,
        checked_by,
        sheet,
        row_number,
        column_name,
        value,
        expected,
        message_vi,
        message_en,
        file_name
    from parser_findings
    union all
    select
        warehouse_findings.report_id,
        warehouse_findings.unit_code,
        warehouse_findings.period_code,
        warehouse_findings.rule_code,
        coalesce(rules.severity, 'error') as severity,
        'warehouse' as checked_by,
        warehouse_findings.sheet,
        warehouse_findings.row_number,
        warehouse_findings.column_name,
        warehouse_findings.value,
        warehouse_findings.expected,
        warehouse_findings.message_vi,
        warehouse_findings.message_en,
        versions.file_name
    from warehouse_findings
    left join rules
        on warehouse_findings.rule_code = rules.rule_code
    left join versions
        on warehouse_findings.report_id = versions.report_id
)

select * from final
