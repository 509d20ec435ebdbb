{#
    Reports write shares truncated, not rounded (110/227 = 48.46% is written 48.4%), so the
    warehouse truncates the same way to give figures that match the printed evaluations.
#}
{% macro truncate_decimals(value, decimals=1) -%}
    (case
        when ({{ value }}) >= 0
            then floor(({{ value }}) * {{ 10 ** decimals }}) / {{ 10 ** decimals }}
        else ceiling(({{ value }}) * {{ 10 ** decimals }}) / {{ 10 ** decimals }}
    end)
{%- endmacro %}

{#
    A percentage of two counts truncated to `decimals` places. The scaled quotient is computed in
    one division of exact integers-as-doubles, so 3442/1000 gives 344.2 and not 344.1 through a
    binary rounding error.
#}
{% macro truncated_pct(numerator, denominator, decimals=1) -%}
    (case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else {{ truncate_decimals(
            "floor(cast(" ~ numerator ~ " as double) * " ~ (10 ** (decimals + 2)) ~ " / ("
            ~ denominator ~ ")) / " ~ (10 ** decimals),
            decimals) }}
    end)
{%- endmacro %}
