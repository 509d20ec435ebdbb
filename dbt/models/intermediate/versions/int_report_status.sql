-- Every report version with its acceptance: quarantined when any blocking finding is an error;
-- of the accepted versions of a unit and period, the newest (highest version) is published and
-- the others are superseded. A quarantined newer version leaves the older accepted one published.
with

versions as (
    select * from {{ ref('int_report_versions') }}
),

findings as (
    select * from {{ ref('int_findings__blocking') }}
),

finding_counts as (
    select
        report_id,
        sum(case when severity = 'error' then 1 else 0 end) as error_count,
        sum(case when severity = 'warning' then 1 else 0 end) as warning_count
    from findings
    group by report_id
),

classified as (
    select
        versions.*,
        coalesce(finding_counts.error_count, 0) as blocking_error_count,
        coalesce(finding_counts.warning_count, 0) as blocking_warning_count,
        coalesce(finding_counts.error_count, 0) > 0
        or coalesce(versions.parser_error_count, 0) > 0 as is_quarantined
    from versions
    left join finding_counts
        on versions.report_id = finding_counts.report_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by unit_code, period_code, is_quarantined
            order by version desc, received_at desc
        ) as accepted_rank
    from classified
),

final as (
    select
        report_id,
        unit_code,
        period_code,
        version,
        sha256,
        file_name,
        source_uri,
        file_format,
        received_at,
        parsed_at,
        period_index,
        period_start,
        period_end,
        parser_error_count,
        parser_warning_count,
        blocking_error_count,
        blocking_warning_count,
        is_quarantined,
        not is_quarantined and accepted_rank = 1 as is_published,
        case
            when is_quarantined then 'quarantined'
            when accepted_rank = 1 then 'published'
            else 'superseded'
        end as version_status
    from ranked
)

select * from final
