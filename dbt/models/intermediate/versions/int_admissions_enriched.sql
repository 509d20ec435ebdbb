-- Every KetNap row of every report version, with its report's unit and period and whether its
-- tax code is a private-sector unit in the same report's ToChuc sheet. Incremental by report
-- version: a run adds the rows of versions parsed since the last run (new, or parsed again) and
-- the post-hook drops rows of versions parsed again since; a full refresh gives the same rows.
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

admissions as (
    select * from {{ ref('stg_parsed__admissions') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

organizations as (
    select * from {{ ref('int_organizations_enriched') }}
),

report_tax_codes as (
    select
        report_id,
        tax_code,
        {{ dbt.bool_or('is_private_sector') }} as is_private_sector
    from organizations
    where tax_code is not null
    group by report_id, tax_code
),

final as (
    select
        admissions.report_id,
        versions.unit_code,
        versions.period_code,
        versions.period_index,
        versions.period_start,
        versions.period_end,
        versions.received_at,
        versions.parsed_at,
        admissions.sheet,
        admissions.row_number,
        admissions.member_key,
        admissions.gender,
        admissions.ethnicity,
        admissions.category_code,
        admissions.work_unit_name,
        admissions.tax_code,
        admissions.admission_date,
        admissions.birth_year,
        admissions.age_at_admission,
        report_tax_codes.tax_code is not null as is_tax_code_known,
        coalesce(report_tax_codes.is_private_sector, false) as is_private_sector,
        coalesce(admissions.category_code in ('hoc_sinh_sinh_vien', 'hoc_sinh_thpt'), false)
            as is_student
    from admissions
    inner join versions
        on admissions.report_id = versions.report_id
    left join report_tax_codes
        on
            admissions.report_id = report_tax_codes.report_id
            and admissions.tax_code = report_tax_codes.tax_code
    {{ new_report_versions_only('versions') }}
)

select * from final
