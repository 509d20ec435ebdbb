-- Organisation events from the published snapshots of the same tax code:
-- founded (once per organisation with a known founding date, in the half-year of that date),
-- upgraded (chi bộ cơ sở to đảng bộ cơ sở),
-- transferred (party organisation under another superior committee) and dissolved (had the
-- organisation before and none now, or the enterprise is gone from a report of the same unit).
with

snapshots as (
    select * from {{ ref('int_enterprise_snapshots') }}
),

published as (
    select * from {{ ref('int_published_reports') }}
),

one_per_period as (
    select
        *,
        row_number() over (
            partition by tax_code, period_code order by unit_code, report_id
        ) as period_occurrence
    from snapshots
),

sequenced as (
    select
        tax_code,
        enterprise_name,
        unit_code,
        period_code,
        period_index,
        period_start,
        period_end,
        report_id,
        is_private_sector,
        party_org_type,
        party_org_founded_date,
        superior_committee,
        has_party_org,
        has_union,
        union_founded_date,
        has_youth_org,
        youth_org_founded_date,
        lag(period_index) over by_tax_code as previous_period_index,
        lag(party_org_type) over by_tax_code as previous_party_org_type,
        lag(superior_committee) over by_tax_code as previous_superior_committee,
        lag(has_party_org) over by_tax_code as previous_has_party_org,
        lag(has_union) over by_tax_code as previous_has_union,
        lag(has_youth_org) over by_tax_code as previous_has_youth_org,
        lead(period_index) over by_tax_code as next_period_index
    from one_per_period
    where period_occurrence = 1
    window by_tax_code as (partition by tax_code order by period_index)
),

-- Founding dates as the snapshots show them; the first snapshot that shows an organisation
-- with its date decides the event (once per tax code and kind of organisation).
founding_dates as (
    select
        tax_code,
        enterprise_name,
        unit_code,
        period_index,
        period_start,
        report_id,
        is_private_sector,
        'party' as org_kind,
        party_org_founded_date as founded_date,
        party_org_type as to_value
    from sequenced
    where has_party_org and party_org_founded_date is not null
    union all
    select
        tax_code,
        enterprise_name,
        unit_code,
        period_index,
        period_start,
        report_id,
        is_private_sector,
        'union' as org_kind,
        union_founded_date as founded_date,
        cast(null as varchar) as to_value
    from sequenced
    where union_founded_date is not null
    union all
    select
        tax_code,
        enterprise_name,
        unit_code,
        period_index,
        period_start,
        report_id,
        is_private_sector,
        'youth' as org_kind,
        youth_org_founded_date as founded_date,
        cast(null as varchar) as to_value
    from sequenced
    where youth_org_founded_date is not null
),

first_shown as (
    select
        *,
        row_number() over (
            partition by tax_code, org_kind order by period_index, report_id
        ) as shown_rank
    from founding_dates
),

-- Dated by the founding date, in the half-year containing it; an organisation founded before
-- the period of the first report listing it is flagged, since no report counted it as new.
founded as (
    select
        tax_code,
        enterprise_name,
        unit_code,
        {{ period_code_of_date('founded_date') }} as period_code,
        report_id,
        is_private_sector,
        org_kind,
        'founded' as event_type,
        founded_date as event_date,
        cast(null as varchar) as from_value,
        to_value,
        founded_date < period_start as is_before_first_report
    from first_shown
    where shown_rank = 1
),

changed as (
    select
        tax_code,
        enterprise_name,
        unit_code,
        period_code,
        report_id,
        is_private_sector,
        'party' as org_kind,
        'upgraded' as event_type,
        cast(null as date) as event_date,
        previous_party_org_type as from_value,
        party_org_type as to_value,
        false as is_before_first_report
    from sequenced
    where previous_party_org_type = 'chi_bo_co_so' and party_org_type = 'dang_bo_co_so'
    union all
    select
        tax_code,
        enterprise_name,
        unit_code,
        period_code,
        report_id,
        is_private_sector,
        'party' as org_kind,
        'transferred' as event_type,
        cast(null as date) as event_date,
        previous_superior_committee as from_value,
        superior_committee as to_value,
        false as is_before_first_report
    from sequenced
    where
        previous_has_party_org
        and has_party_org
        and lower(trim(previous_superior_committee)) <> lower(trim(superior_committee))
    union all
    select
        tax_code,
        enterprise_name,
        unit_code,
        period_code,
        report_id,
        is_private_sector,
        'party' as org_kind,
        'dissolved' as event_type,
        cast(null as date) as event_date,
        previous_party_org_type as from_value,
        party_org_type as to_value,
        false as is_before_first_report
    from sequenced
    where previous_has_party_org and not has_party_org
    union all
    select
        tax_code,
        enterprise_name,
        unit_code,
        period_code,
        report_id,
        is_private_sector,
        'union' as org_kind,
        'dissolved' as event_type,
        cast(null as date) as event_date,
        cast(null as varchar) as from_value,
        cast(null as varchar) as to_value,
        false as is_before_first_report
    from sequenced
    where previous_has_union and not has_union
    union all
    select
        tax_code,
        enterprise_name,
        unit_code,
        period_code,
        report_id,
        is_private_sector,
        'youth' as org_kind,
        'dissolved' as event_type,
        cast(null as date) as event_date,
        cast(null as varchar) as from_value,
        cast(null as varchar) as to_value,
        false as is_before_first_report
    from sequenced
    where previous_has_youth_org and not has_youth_org
),

gone as (
    select
        sequenced.*,
        published.period_code as gone_period_code,
        published.report_id as gone_report_id
    from sequenced
    inner join published
        on
            sequenced.unit_code = published.unit_code
            and sequenced.period_index + 1 = published.period_index
    where coalesce(sequenced.next_period_index, -1) <> sequenced.period_index + 1
),

gone_events as (
    select
        tax_code,
        enterprise_name,
        unit_code,
        gone_period_code as period_code,
        gone_report_id as report_id,
        is_private_sector,
        'party' as org_kind,
        'dissolved' as event_type,
        cast(null as date) as event_date,
        party_org_type as from_value,
        cast(null as varchar) as to_value,
        false as is_before_first_report
    from gone
    where has_party_org
    union all
    select
        tax_code,
        enterprise_name,
        unit_code,
        gone_period_code as period_code,
        gone_report_id as report_id,
        is_private_sector,
        'union' as org_kind,
        'dissolved' as event_type,
        cast(null as date) as event_date,
        cast(null as varchar) as from_value,
        cast(null as varchar) as to_value,
        false as is_before_first_report
    from gone
    where has_union
    union all
    select
        tax_code,
        enterprise_name,
        unit_code,
        gone_period_code as period_code,
        gone_report_id as report_id,
        is_private_sector,
        'youth' as org_kind,
        'dissolved' as event_type,
        cast(null as date) as event_date,
        cast(null as varchar) as from_value,
        cast(null as varchar) as to_value,
        false as is_before_first_report
    from gone
    where has_youth_org
),

unioned as (
    select * from founded
    union all
    select * from changed
    union all
    select * from gone_events
),

final as (
    select
        tax_code || '|' || org_kind || '|' || event_type || '|' || period_code as event_key,
        tax_code,
        enterprise_name,
        org_kind,
        event_type,
        event_date,
        unit_code,
        period_code,
        report_id,
        is_private_sector,
        from_value,
        to_value,
        is_before_first_report
    from unioned
)

select * from final
