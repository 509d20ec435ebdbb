-- Every ToChuc row of every report version, with its report's unit and period and whether the
-- ownership type counts as private sector (coded_values.is_private_sector). Incremental by report
-- version, like int_admissions_enriched; a change to the seeds or models is a full refresh
-- (load_plan decides).
{{
    config(
        materialized='incremental',
        unique_key='report_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=["{{ drop_versions_not_in(ref('int_report_versions')) }}"],
    )
}}

with

organizations as (
    select * from {{ ref('stg_parsed__organizations') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

ownership_types as (
    select
        code as ownership_type,
        label as ownership_label,
        coalesce(is_private_sector, false) as is_private_sector
    from {{ ref('coded_values') }}
    where domain = 'loai_hinh'
),

final as (
    select
        organizations.report_id,
        versions.unit_code,
        versions.period_code,
        versions.period_index,
        versions.period_start,
        versions.period_end,
        versions.parsed_at,
        organizations.sheet,
        organizations.row_number,
        organizations.tax_code,
        organizations.enterprise_name,
        organizations.ownership_type,
        ownership_types.ownership_label,
        coalesce(ownership_types.is_private_sector, false) as is_private_sector,
        organizations.industrial_zone,
        organizations.employees,
        organizations.party_org_type,
        organizations.party_org_founded_date,
        organizations.party_members,
        organizations.superior_committee,
        coalesce(organizations.has_union, false) as has_union,
        organizations.union_founded_date,
        organizations.union_members,
        coalesce(organizations.has_youth_org, false) as has_youth_org,
        organizations.youth_org_founded_date,
        organizations.youth_members,
        coalesce(organizations.party_org_type, 'khong') <> 'khong' as has_party_org
    from organizations
    inner join versions
        on organizations.report_id = versions.report_id
    left join ownership_types
        on organizations.ownership_type = ownership_types.ownership_type
    {{ new_report_versions_only('versions') }}
)

select * from final
