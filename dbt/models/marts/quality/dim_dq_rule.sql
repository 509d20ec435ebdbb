-- The data-quality rule catalogue (dq_rules.csv) as BI tools read it, so every rule_code in
-- dq_issues and in the Great Expectations findings can be looked up.
with

rules as (
    select * from {{ ref('dq_rules') }}
),

final as (
    select
        cast(rule_code as varchar) as rule_code,
        cast(severity as varchar) as severity,
        cast(severity = 'error' as boolean) as is_blocking,
        cast(checked_by as varchar) as checked_by,
        cast(scope as varchar) as scope,
        cast(runs_in as varchar) as runs_in,
        cast(defined_in as varchar) as defined_in,
        cast(parameters as varchar) as parameters,
        cast(description_vi as varchar) as description_vi,
        cast(description_en as varchar) as description_en
    from rules
)

select * from final
