-- The reporting rate per province and period: of the units that owed a report
-- (mart_reporting_completeness.is_expected), how many sent one, how many were accepted or
-- quarantined, how many are missing and how many arrived by the deadline.
with

completeness as (
    select * from {{ ref('int_reporting_completeness') }}
    where is_expected
),

units as (
    select distinct
        unit_code,
        province_code
    from {{ ref('stg_reference__reporting_units') }}
),

counted as (
    select
        units.province_code,
        completeness.period_code,
        count(*) as expected,
        sum(case when completeness.status <> 'missing' then 1 else 0 end) as received,
        sum(case when completeness.status = 'accepted' then 1 else 0 end) as accepted,
        sum(case when completeness.status = 'quarantined' then 1 else 0 end) as quarantined,
        sum(case when completeness.status = 'missing' then 1 else 0 end) as missing,
        sum(case when completeness.is_on_time then 1 else 0 end) as on_time
    from completeness
    inner join units
        on completeness.unit_code = units.unit_code
    group by
        units.province_code,
        completeness.period_code
),

final as (
    select
        cast(province_code || '|' || period_code as varchar) as province_period_key,
        cast(province_code as varchar) as province_code,
        cast(period_code as varchar) as period_code,
        cast(expected as integer) as expected,
        cast(received as integer) as received,
        cast(accepted as integer) as accepted,
        cast(quarantined as integer) as quarantined,
        cast(missing as integer) as missing,
        cast(on_time as integer) as on_time,
        cast({{ truncated_pct('received', 'expected') }} as double) as reporting_rate_pct,
        cast({{ truncated_pct('on_time', 'expected') }} as double) as on_time_rate_pct
    from counted
)

select * from final
