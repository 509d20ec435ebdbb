-- The one report version per unit and period whose figures the marts publish.
with

statuses as (
    select * from {{ ref('int_report_status') }}
),

final as (
    select * from statuses
    where is_published
)

select * from final
