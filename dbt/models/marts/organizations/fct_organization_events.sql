with

events as (
    select * from {{ ref('int_organization_events') }}
),

provinces as (
    select * from {{ ref('int_unit_provinces') }}
),

unit_versions as (
    {{ unit_versions_by_period() }}
),

final as (
    select
        cast(events.event_key as varchar) as event_key,
        cast(events.tax_code as varchar) as tax_code,
        cast(events.enterprise_name as varchar) as enterprise_name,
        cast(events.org_kind as varchar) as org_kind,
        cast(events.event_type as varchar) as event_type,
        cast(events.event_date as date) as event_date,
        cast(events.unit_code as varchar) as unit_code,
        cast(unit_versions.unit_version_key as varchar) as unit_version_key,
        cast(provinces.province_code as varchar) as province_code,
        cast(events.period_code as varchar) as period_code,
        cast(events.is_private_sector as boolean) as is_private_sector,
        cast(events.from_value as varchar) as from_value,
        cast(events.to_value as varchar) as to_value,
        cast(events.is_before_first_report as boolean) as is_before_first_report,
        cast(events.report_id as varchar) as report_id
    from events
    left join provinces
        on events.unit_code = provinces.unit_code
    left join unit_versions
        on
            events.unit_code = unit_versions.unit_code
            and events.period_code = unit_versions.period_code
)

select * from final
