-- ToChuc rows of published reports: one row per enterprise, reporting unit and period (the first
-- row when a report lists a tax code twice).
with

organizations as (
    select * from {{ ref('int_organizations_enriched') }}
),

published as (
    select report_id from {{ ref('int_published_reports') }}
),

ranked as (
    select
        organizations.*,
        row_number() over (
            partition by organizations.report_id, organizations.tax_code
            order by organizations.row_number
        ) as tax_code_occurrence
    from organizations
    inner join published
        on organizations.report_id = published.report_id
    where organizations.tax_code is not null
),

final as (
    select * from ranked
    where tax_code_occurrence = 1
)

select * from final
