-- Each enterprise as a published report lists it at period end. Incremental by published
-- version, as int_enterprise_snapshots, whose rows it mirrors.
{{
    config(
        materialized='incremental',
        unique_key=['unit_code', 'period_code'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=["{{ drop_versions_not_in(ref('int_enterprise_snapshots')) }}"],
    )
}}

with

snapshots as (
    select * from {{ ref('int_enterprise_snapshots') }}
),

provinces as (
    select * from {{ ref('int_unit_provinces') }}
),

unit_versions as (
    {{ unit_versions_by_period() }}
),

final as (
    select
        cast(
            snapshots.unit_code || '|' || snapshots.period_code || '|' || snapshots.tax_code
            as varchar
        ) as enterprise_snapshot_key,
        cast(snapshots.tax_code as varchar) as tax_code,
        cast(snapshots.unit_code as varchar) as unit_code,
        cast(unit_versions.unit_version_key as varchar) as unit_version_key,
        cast(provinces.province_code as varchar) as province_code,
        cast(snapshots.period_code as varchar) as period_code,
        cast(snapshots.enterprise_name as varchar) as enterprise_name,
        cast(snapshots.ownership_type as varchar) as ownership_type,
        cast(snapshots.is_private_sector as boolean) as is_private_sector,
        cast(snapshots.industrial_zone as varchar) as industrial_zone,
        cast(snapshots.employees as bigint) as employees,
        cast(snapshots.party_org_type as varchar) as party_org_type,
        cast(snapshots.has_party_org as boolean) as has_party_org,
        cast(snapshots.party_org_founded_date as date) as party_org_founded_date,
        cast(snapshots.party_members as bigint) as party_members,
        cast(snapshots.superior_committee as varchar) as superior_committee,
        cast(snapshots.has_union as boolean) as has_union,
        cast(snapshots.union_founded_date as date) as union_founded_date,
        cast(snapshots.union_members as bigint) as union_members,
        cast(snapshots.has_youth_org as boolean) as has_youth_org,
        cast(snapshots.youth_org_founded_date as date) as youth_org_founded_date,
        cast(snapshots.youth_members as bigint) as youth_members,
        cast(snapshots.report_id as varchar) as report_id,
        cast(snapshots.row_number as integer) as row_number,
        cast(snapshots.parsed_at as timestamp) as parsed_at
    from snapshots
    left join provinces
        on snapshots.unit_code = provinces.unit_code
    left join unit_versions
        on
            snapshots.unit_code = unit_versions.unit_code
            and snapshots.period_code = unit_versions.period_code
    {{ new_report_versions_only('snapshots') }}
)

select * from final
