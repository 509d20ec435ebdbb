-- The indicator catalogue as BI tools read it: one row per indicator with its Vietnamese and
-- English label, read from the seed the parser reads too.
with

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

final as (
    select
        cast(indicator_code as varchar) as indicator_code,
        cast(label as varchar) as label_vi,
        cast(description_en as varchar) as label_en,
        cast(kind as varchar) as indicator_kind,
        cast(parent_code as varchar) as parent_indicator_code
    from catalogue
)

select * from final
