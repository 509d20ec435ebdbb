-- The half-year calendar from var period_first_year to var period_last_year.
{%- set first_year = var('period_first_year') | int %}
{%- set last_year = var('period_last_year') | int %}

with

spine as (
    {{ dbt.generate_series((last_year - first_year + 1) * 2) }}
),

indexed as (
    select {{ first_year * 2 }} + generated_number - 1 as period_index
    from spine
),

coded as (
    select
        period_index,
        {{ period_code_from_index('period_index') }} as period_code
    from indexed
),

final as (
    select
        period_code,
        period_index,
        {{ period_start('period_code') }} as period_start,
        {{ period_end('period_code') }} as period_end,
        {{ period_year('period_code') }} as year,
        {{ period_half('period_code') }} as half
    from coded
)

select * from final
