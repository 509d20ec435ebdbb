with

source as (
    select * from {{ source('reference', 'reporting_unit_aliases') }}
),

final as (
    select
        cast(unit_code as varchar) as unit_code,
        cast(alias as varchar) as alias
    from source
)

select * from final
