-- Admissions of published reports. Incremental: a run appends the rows of newly published report
-- versions, replacing (delete+insert on unit_period_key) the rows of the version they supersede;
-- the post-hook drops rows of versions no longer published (or parsed again since), so a full
-- refresh gives the same rows.
{{
    config(
        materialized='incremental',
        unique_key='unit_period_key',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=["{{ drop_versions_not_in(ref('int_published_reports')) }}"],
    )
}}

with

admissions as (
    select * from {{ ref('int_admissions_enriched') }}
),

published as (
    select * from {{ ref('int_published_reports') }}
),

provinces as (
    select * from {{ ref('int_unit_provinces') }}
),

unit_versions as (
    {{ unit_versions_by_period() }}
),

ethnic_groups as (
    select * from {{ ref('ethnic_groups') }}
),

final as (
    select
        cast(admissions.report_id || ':' || cast(admissions.row_number as varchar) as varchar)
            as admission_key,
        cast(admissions.member_key as varchar) as member_key,
        cast(admissions.unit_code as varchar) as unit_code,
        cast(unit_versions.unit_version_key as varchar) as unit_version_key,
        cast(provinces.province_code as varchar) as province_code,
        cast(admissions.period_code as varchar) as period_code,
        cast(admissions.unit_code || '|' || admissions.period_code as varchar) as unit_period_key,
        cast(admissions.admission_date as date) as admission_date,
        cast(admissions.category_code as varchar) as category_code,
        cast(admissions.is_student as boolean) as is_student,
        cast(admissions.tax_code as varchar) as tax_code,
        cast(admissions.is_private_sector as boolean) as is_private_sector,
        cast(admissions.gender as varchar) as gender,
        cast(admissions.ethnicity as varchar) as ethnicity,
        cast(ethnic_groups.ethnic_code as varchar) as ethnic_code,
        cast(admissions.birth_year as integer) as birth_year,
        cast(admissions.age_at_admission as integer) as age_at_admission,
        cast(admissions.report_id as varchar) as report_id,
        cast(admissions.row_number as integer) as row_number,
        cast(published.parsed_at as timestamp) as parsed_at
    from admissions
    inner join published
        on admissions.report_id = published.report_id
    left join provinces
        on admissions.unit_code = provinces.unit_code
    left join unit_versions
        on
            admissions.unit_code = unit_versions.unit_code
            and admissions.period_code = unit_versions.period_code
    left join ethnic_groups
        on admissions.ethnicity = ethnic_groups.label
    {{ new_report_versions_only('published') }}
)

select * from final
