with

source as (
    {{ current_parsed_rows('to_chuc') }}
),

final as (
    select
        cast(report_id as varchar) as report_id,
        cast(sheet as varchar) as sheet,
        cast(row_number as integer) as row_number,
        cast(tax_code as varchar) as tax_code,
        cast(enterprise_name as varchar) as enterprise_name,
        cast(ownership_type as varchar) as ownership_type,
        cast(industrial_zone as varchar) as industrial_zone,
        cast(employees as bigint) as employees,
        cast(party_org_type as varchar) as party_org_type,
        cast(party_org_founded_date as date) as party_org_founded_date,
        cast(party_members as bigint) as party_members,
        cast(superior_committee as varchar) as superior_committee,
        cast(has_union as boolean) as has_union,
        cast(union_founded_date as date) as union_founded_date,
        cast(union_members as bigint) as union_members,
        cast(has_youth_org as boolean) as has_youth_org,
        cast(youth_org_founded_date as date) as youth_org_founded_date,
        cast(youth_members as bigint) as youth_members
    from source
)

select * from final
