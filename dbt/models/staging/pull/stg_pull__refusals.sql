with

source as (
    select * from {{ source('pull', 'refusals') }}
),

final as (
    select
        cast(refusal_id as varchar) as refusal_id,
        cast(file_name as varchar) as file_name,
        cast(source_uri as varchar) as source_uri,
        cast(unit_code as varchar) as unit_code,
        cast(period_code as varchar) as period_code,
        cast(rule_code as varchar) as rule_code,
        cast(value as varchar) as value,
        cast(expected as varchar) as expected,
        cast(message_vi as varchar) as message_vi,
        cast(message_en as varchar) as message_en,
        refused_at
    from source
)

select * from final
