{#
    The findings of the warehouse's rule models, in the shape of dq_issues: each rule model
    yields report, unit, period, rule, cell and message; severity comes from the rule catalogue
    (default_severity when a rule is missing from it) and the file name from the report version.
#}
{% macro warehouse_rule_findings(rule_models, default_severity) %}
    {%- for rule_model in rule_models %}
        select
            findings.report_id,
            findings.unit_code,
            findings.period_code,
            findings.rule_code,
            coalesce(rules.severity, '{{ default_severity }}') as severity,
            'warehouse' as checked_by,
            findings.sheet,
            findings.row_number,
            findings.column_name,
            findings.value,
            findings.expected,
            findings.message_vi,
            findings.message_en,
            versions.file_name
        from {{ ref(rule_model) }} as findings
        left join {{ ref('dq_rules') }} as rules
            on findings.rule_code = rules.rule_code
        left join {{ ref('int_report_versions') }} as versions
            on findings.report_id = versions.report_id
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{% endmacro %}
