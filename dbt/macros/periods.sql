{#
    Half-year period arithmetic. A period code is 'YYYY-H1' (Jan-Jun) or 'YYYY-H2' (Jul-Dec); its
    index (year * 2 + half - 1) makes consecutive periods consecutive integers.
#}
{% macro period_year(period_code) -%}
    cast(substring({{ period_code }}, 1, 4) as integer)
{%- endmacro %}

{% macro period_half(period_code) -%}
    cast(substring({{ period_code }}, 7, 1) as integer)
{%- endmacro %}

{% macro period_index(period_code) -%}
    ({{ period_year(period_code) }} * 2 + {{ period_half(period_code) }} - 1)
{%- endmacro %}

{% macro period_code_from_index(period_index) -%}
    {{ dbt.concat([
        "cast(cast(floor((" ~ period_index ~ ") / 2) as integer) as varchar)",
        "'-H'",
        "cast(((" ~ period_index ~ ") % 2) + 1 as varchar)",
    ]) }}
{%- endmacro %}

{% macro period_start(period_code) -%}
    cast({{ dbt.concat([
        "substring(" ~ period_code ~ ", 1, 4)",
        "case when " ~ period_half(period_code) ~ " = 1 then '-01-01' else '-07-01' end",
    ]) }} as date)
{%- endmacro %}

{% macro period_end(period_code) -%}
    cast({{ dbt.concat([
        "substring(" ~ period_code ~ ", 1, 4)",
        "case when " ~ period_half(period_code) ~ " = 1 then '-06-30' else '-12-31' end",
    ]) }} as date)
{%- endmacro %}

{#
    The half-year a date falls in, e.g. 2016-09-06 -> '2016-H2'.
#}
{% macro period_code_of_date(date_expression) -%}
    {{ dbt.concat([
        "cast(extract(year from " ~ date_expression ~ ") as varchar)",
        "case when extract(month from " ~ date_expression ~ ") <= 6 then '-H1' else '-H2' end",
    ]) }}
{%- endmacro %}
