-- Which reporting units owe a report for which period, and what arrived: the published version,
-- else the newest quarantined one. A unit owes a period when it reports (registry `reports`),
-- its validity overlaps the period and the period is in its province's window: from the first
-- period any unit of the province sent a report for to the latest one (vars
-- completeness_first_period / completeness_last_period fix both ends for every province).
with

units as (
    select * from {{ ref('stg_reference__reporting_units') }}
),

statuses as (
    select * from {{ ref('int_report_status') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

unit_provinces as (
    select distinct
        unit_code,
        province_code
    from units
),

-- A province's reporting window: from the first period any of its units reported to the latest
-- one, so one province reporting early or late never makes another's units look missing.
province_windows as (
    select
        unit_provinces.province_code,
        min(statuses.period_index) as first_reported_index,
        max(statuses.period_index) as last_reported_index
    from statuses
    inner join unit_provinces
        on statuses.unit_code = unit_provinces.unit_code
    group by unit_provinces.province_code
),

bounds as (
    select
        province_code,
        {% if var('completeness_first_period') -%}
            {{ period_index("'" ~ var('completeness_first_period') ~ "'") }}
        {%- else -%}
            first_reported_index
        {%- endif %} as first_period_index,
        {% if var('completeness_last_period') -%}
            {{ period_index("'" ~ var('completeness_last_period') ~ "'") }}
        {%- else -%}
            last_reported_index
        {%- endif %} as last_period_index
    from province_windows
),

expected as (
    select distinct
        units.unit_code,
        periods.period_code
    from units
    inner join bounds
        on units.province_code = bounds.province_code
    inner join periods
        on periods.period_index between bounds.first_period_index and bounds.last_period_index
    where
        units.is_reporting
        and coalesce(units.valid_from, periods.period_start) <= periods.period_end
        and coalesce(units.valid_to, periods.period_end) >= periods.period_start
),

ranked_versions as (
    select
        *,
        count(*) over (partition by unit_code, period_code) as version_count,
        row_number() over (
            partition by unit_code, period_code
            order by is_published desc, version desc
        ) as display_rank
    from statuses
),

received as (
    select * from ranked_versions
    where display_rank = 1
),

deadlines as (
    select
        period_code,
        cast(
            {{ dbt.dateadd('day', report_deadline_days(), 'period_end') }} as date
        ) as deadline_date
    from periods
),

joined as (
    select
        coalesce(expected.unit_code, received.unit_code) as unit_code,
        coalesce(expected.period_code, received.period_code) as period_code,
        expected.unit_code is not null as is_expected,
        received.report_id,
        received.file_name,
        received.received_at,
        received.is_published,
        coalesce(received.version_count, 0) as version_count
    from expected
    full outer join received
        on
            expected.unit_code = received.unit_code
            and expected.period_code = received.period_code
),

final as (
    select
        joined.unit_code,
        joined.period_code,
        case
            when joined.report_id is null then 'missing'
            when joined.is_published then 'accepted'
            else 'quarantined'
        end as status,
        joined.is_expected,
        joined.report_id,
        joined.file_name,
        joined.received_at,
        joined.version_count,
        deadlines.deadline_date,
        case
            when joined.received_at is null then null
            else cast(joined.received_at as date) <= deadlines.deadline_date
        end as is_on_time
    from joined
    inner join deadlines
        on joined.period_code = deadlines.period_code
)

select * from final
