-- Findings known before a report is accepted: the parser's, the warehouse rules that look at
-- one report (or at reports that arrived before it), and the load gate's decisions (a blocking
-- mart check traced to the version). Any error here quarantines the report version.
{%- set rule_models = blocking_rule_models() %}

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

warehouse_findings as (
    {{ warehouse_rule_findings(rule_models, 'error') }}
),

final as (
    select * from parser_findings
    union all
    select * from warehouse_findings
)

select * from final
