{#
    The table the load's gate (dagster_project/quality/gate.py) writes: one row per report
    version and failed blocking check it traced the failure to. It lives in the build database
    beside the models, so it is there for every build; the hook creates it empty the first time.
#}
{% macro gate_quarantine_columns() -%}
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
{%- endmacro %}

{% macro create_gate_quarantine() -%}
    create schema if not exists gate;
    create table if not exists gate.gate_quarantine ({{ gate_quarantine_columns() }})
{%- endmacro %}

{#
    The gate's decisions as a relation. `tcd validate` renders the models without a build
    database (and without dbt's `target`): no decision applies to a report not loaded yet, so
    there the relation is empty, with the same columns.
#}
{% macro gate_decisions() -%}
    {%- if target is defined -%}
        {{ source('gate', 'gate_quarantine') }}
    {%- else -%}
        (
            select
                {%- for column in gate_quarantine_columns().split(',') %}
                    {%- set name, type = column.split() %}
                    cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
                {%- endfor %}
            where false
        )
    {%- endif %}
{%- endmacro %}
