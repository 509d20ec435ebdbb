with

source as (
    select * from {{ source('reference', 'reporting_units') }}
),

final as (
    select
        cast(unit_code as varchar) as unit_code,
        cast(unit_name as varchar) as unit_name,
        cast(unit_kind as varchar) as unit_kind,
        cast(province_code as varchar) as province_code,
        cast(parent_unit_code as varchar) as parent_unit_code,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(successor_unit_code as varchar) as successor_unit_code,
        cast(reports as boolean) as is_reporting,
        cast(location as varchar) as location
    from source
)

select * from final
