{#
    Generic test: every non-null value of the column is a code of `domain` in dim_coded_value,
    so the column joins to its label (on domain and code) without losing a row.
#}
{% test has_label(model, column_name, domain) %}
    select {{ column_name }} as code_without_label
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ column_name }} not in (
            select code from {{ ref('dim_coded_value') }}
            where domain = '{{ domain }}'
        )
{% endtest %}
