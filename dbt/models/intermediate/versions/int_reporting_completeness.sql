-- Which reporting units owe a report for which period, and what arrived: the published version,
-- else the newest quarantined one. A unit owes a period when it reports (registry `reports`)
-- and its validity overlaps the period; periods run over var completeness_first_period ..
-- completeness_last_period, by default the range of periods reported at all.
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

bounds as (
    select
        {% if var('completeness_first_period') -%}
            {{ period_index("'" ~ var('completeness_first_period') ~ "'") }}
        {%- else -%}
            min(period_index)
        {%- endif %} as first_period_index,
        {% if var('completeness_last_period') -%}
            {{ period_index("'" ~ var('completeness_last_period') ~ "'") }}
        {%- else -%}
            max(period_index)
        {%- endif %} as last_period_index
    from statuses
),

expected as (
    select distinct
        units.unit_code,
        periods.period_code
    from units
    cross join periods
    inner join bounds
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
