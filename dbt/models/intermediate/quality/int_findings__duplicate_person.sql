-- DQ_DUPLICATE_PERSON: one person (member_key) is admitted once across all units and periods,
-- whichever order the reports arrive in. A second row of one version is flagged. Across units
-- and periods, the person belongs to the unit and period that listed them first by arrival
-- (received_at, then version, then report_id), among the versions no other blocking rule
-- refused, provided its standing version (the newest such) still lists them: a resubmission
-- that drops a person gives them up. Every version of another unit or period that lists the
-- person and arrived after that first listing gets the error naming it. So an accepted report
-- is never taken back out by a later one, whatever period the later one covers; a resubmission
-- of the same unit and period repeats its people naturally.
{%- set other_blocking_rules = blocking_rule_models(except=[
    'int_findings__duplicate_person',
    'int_findings__enterprise_other_unit',
    'int_findings__gate',
]) %}

with

admissions as (
    select * from {{ ref('int_admissions_enriched') }}
    where member_key is not null
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

refused_by_other_rules as (
    {{ versions_refused_by(other_blocking_rules) }}
),

-- Versions acceptable on every rule but this one, and the standing one per unit and period.
candidate_versions as (
    select
        report_id,
        unit_code,
        period_code,
        received_at,
        version,
        row_number() over (
            partition by unit_code, period_code
            order by version desc, received_at desc
        ) = 1 as is_standing
    from versions
    where
        coalesce(parser_error_count, 0) = 0
        and report_id not in (select refused_by_other_rules.report_id from refused_by_other_rules)
),

candidate_admissions as (
    select
        admissions.member_key,
        admissions.report_id,
        admissions.row_number,
        admissions.unit_code,
        admissions.period_code,
        admissions.received_at,
        candidate_versions.version,
        candidate_versions.is_standing
    from admissions
    inner join candidate_versions
        on admissions.report_id = candidate_versions.report_id
),

-- Units and periods whose standing version lists the person.
holders as (
    select distinct
        member_key,
        unit_code,
        period_code
    from candidate_admissions
    where is_standing
),

-- The first listing of the person by arrival, among the holders' versions.
owners as (
    select
        candidate_admissions.member_key,
        candidate_admissions.unit_code,
        candidate_admissions.period_code,
        candidate_admissions.report_id,
        candidate_admissions.row_number,
        candidate_admissions.received_at,
        candidate_admissions.version
    from candidate_admissions
    inner join holders
        on
            candidate_admissions.member_key = holders.member_key
            and candidate_admissions.unit_code = holders.unit_code
            and candidate_admissions.period_code = holders.period_code
    qualify row_number() over (
        partition by candidate_admissions.member_key
        order by
            candidate_admissions.received_at,
            candidate_admissions.version,
            candidate_admissions.report_id,
            candidate_admissions.row_number
    ) = 1
),

within_report as (
    select
        report_id,
        unit_code,
        period_code,
        sheet,
        row_number,
        report_id as other_report_id,
        min(row_number) over (partition by report_id, member_key) as first_row_number,
        row_number() over (partition by report_id, member_key order by row_number) as occurrence
    from admissions
),

across_reports as (
    select
        admissions.report_id,
        admissions.unit_code,
        admissions.period_code,
        admissions.sheet,
        admissions.row_number,
        owners.report_id as other_report_id,
        owners.row_number as other_row_number,
        row_number() over (
            partition by admissions.report_id, admissions.member_key
            order by admissions.row_number
        ) as occurrence
    from admissions
    inner join versions
        on admissions.report_id = versions.report_id
    inner join owners
        on
            admissions.member_key = owners.member_key
            and not (
                admissions.unit_code = owners.unit_code
                and admissions.period_code = owners.period_code
            )
    -- Versions that arrived before the first listing are refused or superseded already.
    where
        admissions.received_at > owners.received_at
        or (
            admissions.received_at = owners.received_at
            and (
                versions.version > owners.version
                or (versions.version = owners.version and admissions.report_id > owners.report_id)
            )
        )
),

duplicates as (
    select
        report_id,
        unit_code,
        period_code,
        sheet,
        row_number,
        other_report_id,
        first_row_number as other_row_number
    from within_report
    where occurrence > 1
    union all
    select
        report_id,
        unit_code,
        period_code,
        sheet,
        row_number,
        other_report_id,
        other_row_number
    from across_reports
    where occurrence = 1
),

final as (
    select
        report_id,
        unit_code,
        period_code,
        'DQ_DUPLICATE_PERSON' as rule_code,
        sheet,
        row_number,
        'member_key' as column_name,
        other_report_id as value,
        'một người chỉ kết nạp một lần / one admission per person' as expected,
        'Người này đã được kết nạp trong báo cáo ' || other_report_id || ' (dòng '
        || cast(other_row_number as varchar) || ')' as message_vi,
        'This person was already admitted in report ' || other_report_id || ' (row '
        || cast(other_row_number as varchar) || ')' as message_en
    from duplicates
)

select * from final
