{#
    Generic test: the column holds period codes YYYY-H1 or YYYY-H2 (null allowed).
#}
{% test dbt_period_code(model, column_name) %}
    select {{ column_name }} as invalid_period_code
    from {{ model }}
    where
        {{ column_name }} is not null
        and not regexp_matches({{ column_name }}, '^[0-9]{4}-H[12]$')
{% endtest %}
