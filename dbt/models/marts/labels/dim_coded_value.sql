-- Every coded value a published relation carries, with its Vietnamese and English label: the
-- report sheets' codes (coded_values), ethnic groups (domain dan_toc) and the codes the
-- warehouse derives itself (warehouse_codes). Each seed stays the one place its codes live.
with

report_codes as (
    select * from {{ ref('coded_values') }}
),

ethnic_groups as (
    select * from {{ ref('ethnic_groups') }}
),

warehouse_codes as (
    select * from {{ ref('warehouse_codes') }}
),

unioned as (
    select
        domain,
        code,
        label,
        label_en,
        'coded_values' as source_seed
    from report_codes
    union all
    select
        'dan_toc' as domain,
        ethnic_code as code,
        label,
        label_en,
        'ethnic_groups' as source_seed
    from ethnic_groups
    union all
    select
        domain,
        code,
        label,
        label_en,
        'warehouse_codes' as source_seed
    from warehouse_codes
),

final as (
    select
        cast(domain || ':' || code as varchar) as coded_value_key,
        cast(domain as varchar) as domain,
        cast(code as varchar) as code,
        cast(label as varchar) as label_vi,
        cast(label_en as varchar) as label_en,
        cast(source_seed as varchar) as source_seed
    from unioned
)

select * from final
