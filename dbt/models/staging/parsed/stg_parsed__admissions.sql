with

source as (
    {{ current_parsed_rows('ket_nap') }}
),

final as (
    select
        cast(report_id as varchar) as report_id,
        cast(sheet as varchar) as sheet,
        cast(row_number as integer) as row_number,
        cast(member_key as varchar) as member_key,
        cast(gender as varchar) as gender,
        cast(ethnicity as varchar) as ethnicity,
        cast(category_code as varchar) as category_code,
        cast(work_unit_name as varchar) as work_unit_name,
        cast(tax_code as varchar) as tax_code,
        cast(admission_date as date) as admission_date,
        cast(decision_number as varchar) as decision_number,
        cast(party_cell as varchar) as party_cell,
        cast(birth_year as integer) as birth_year,
        cast(age_at_admission as integer) as age_at_admission
    from source
)

select * from final
