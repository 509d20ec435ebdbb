{#
    Land every model in exactly the schema its folder configures (staging, intermediate, marts)
    instead of dbt's default "<target schema>_<custom schema>", because the publish step copies the
    schema named exactly `marts`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
