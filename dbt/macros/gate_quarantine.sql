{#
    The table the load's gate (dagster_project/quality/gate.py) writes: one row per report
    version and failed blocking check it traced the failure to. It lives in the build database
    beside the models, so it is there for every build; the hook creates it empty the first time.
#}
{% macro create_gate_quarantine() -%}
    create schema if not exists gate;
    create table if not exists gate.gate_quarantine (
        report_id varchar,
        parsed_at timestamp,
        check_name varchar,
        table_name varchar,
        expectation varchar,
        gx_rule_code varchar,
        column_name varchar,
        sheet varchar,
        row_count integer,
        row_numbers varchar,
        decided_at timestamp,
        run_id varchar
    )
{%- endmacro %}
