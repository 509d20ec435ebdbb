with

registry as (
    select * from {{ ref('stg_reference__reporting_units') }}
),

aliases as (
    select * from {{ ref('stg_reference__reporting_unit_aliases') }}
),

successors as (
    select * from {{ ref('int_unit_successors') }}
),

alias_lists as (
    select
        unit_code,
        {{ dbt.listagg('alias', "' | '", 'order by alias') }} as aliases
    from aliases
    group by unit_code
),

final as (
    select
        cast(
            registry.unit_code || '@' || coalesce(cast(registry.valid_from as varchar), 'start')
            as varchar
        ) as unit_version_key,
        cast(registry.unit_code as varchar) as unit_code,
        cast(registry.unit_name as varchar) as unit_name,
        cast(registry.unit_kind as varchar) as unit_kind,
        cast(registry.province_code as varchar) as province_code,
        cast(registry.parent_unit_code as varchar) as parent_unit_code,
        cast(registry.valid_from as date) as valid_from,
        cast(registry.valid_to as date) as valid_to,
        cast(registry.valid_to is null as boolean) as is_current,
        cast(
            row_number() over (
                partition by registry.unit_code
                order by coalesce(registry.valid_from, date '0001-01-01') desc
            ) = 1
            as boolean
        ) as is_latest_version,
        cast(registry.successor_unit_code as varchar) as successor_unit_code,
        cast(coalesce(successors.current_unit_code, registry.unit_code) as varchar)
            as current_unit_code,
        cast(coalesce(registry.is_reporting, false) as boolean) as is_reporting,
        cast(alias_lists.aliases as varchar) as aliases
    from registry
    left join successors
        on registry.unit_code = successors.unit_code
    left join alias_lists
        on registry.unit_code = alias_lists.unit_code
)

select * from final
