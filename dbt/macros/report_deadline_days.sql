{#
    Days after a period's last day by which its report is due (hạn nộp báo cáo): the dbt var
    report_deadline_days when given with --vars, else env TCD_REPORT_DEADLINE_DAYS (which the
    orchestration sets from its settings), else 15.
#}
{% macro report_deadline_days() -%}
    {{ var('report_deadline_days', env_var('TCD_REPORT_DEADLINE_DAYS', '15')) | int }}
{%- endmacro %}
