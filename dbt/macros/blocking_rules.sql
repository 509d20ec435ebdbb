{#
    The warehouse rule models whose errors quarantine a report version, in the order
    int_findings__blocking unions them. A cross-report rule that decides by arrival asks for the
    others (`except`), so that it judges only versions no other rule refused; the rules that
    depend on it, and the gate (which depends on the marts), are left out by the caller.
#}
{% macro blocking_rule_models(except=[]) %}
    {%- set models = [
        'int_findings__part_le_whole',
        'int_findings__summary_detail',
        'int_findings__taxcode_unknown',
        'int_findings__duplicate_person',
        'int_findings__enterprise_other_unit',
        'int_findings__cumulative_shrink',
        'int_findings__gate',
    ] %}
    {{- return(models | reject('in', except) | list) }}
{% endmacro %}

{#
    The report versions that one of `rule_models` refuses: a finding whose rule is an error in
    the catalogue (or missing from it).
#}
{% macro versions_refused_by(rule_models) %}
    select distinct findings.report_id
    from (
        {%- for rule_model in rule_models %}
            select
                report_id,
                rule_code
            from {{ ref(rule_model) }}
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    ) as findings
    left join {{ ref('dq_rules') }} as rules
        on findings.rule_code = rules.rule_code
    where coalesce(rules.severity, 'error') = 'error'
{% endmacro %}
