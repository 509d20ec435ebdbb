-- DQ_DUPLICATE_PERSON: one person (member_key) is admitted once across all units and periods.
-- A version's admissions are compared with the earlier rows of the same version and with the
-- accepted admissions of OTHER units and periods: of each other unit and period, the newest
-- version no other blocking rule refused (the one that is or would be published). A
-- resubmission of the same unit and period repeats its people naturally, and a refused or
-- superseded version is not an admission on record. Reports are ordered by period, then
-- arrival; the later report gets the error and the message names the earlier one.
{%- set other_blocking_rules = [
    'int_findings__part_le_whole',
    'int_findings__summary_detail',
    'int_findings__taxcode_unknown',
    'int_findings__cumulative_shrink',
] %}

with

admissions as (
    select * from {{ ref('int_admissions_enriched') }}
    where member_key is not null
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

rules as (
    select * from {{ ref('dq_rules') }}
),

other_rule_findings as (
    {%- for rule_model in other_blocking_rules %}
        select
            report_id,
            rule_code
        from {{ ref(rule_model) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

refused_by_other_rules as (
    select distinct other_rule_findings.report_id
    from other_rule_findings
    left join rules
        on other_rule_findings.rule_code = rules.rule_code
    where coalesce(rules.severity, 'error') = 'error'
),

-- Versions acceptable on every rule but this one; the newest per unit and period stands.
accepted_versions as (
    select
        report_id,
        row_number() over (
            partition by unit_code, period_code
            order by version desc, received_at desc
        ) as acceptance_rank
    from versions
    where
        coalesce(parser_error_count, 0) = 0
        and report_id not in (select refused_by_other_rules.report_id from refused_by_other_rules)
),

accepted_admissions as (
    select admissions.*
    from admissions
    inner join accepted_versions
        on
            admissions.report_id = accepted_versions.report_id
            and accepted_versions.acceptance_rank = 1
),

within_report as (
    select
        report_id,
        unit_code,
        period_code,
        sheet,
        row_number,
        member_key,
        report_id as other_report_id,
        min(row_number) over (partition by report_id, member_key) as first_row_number,
        row_number() over (partition by report_id, member_key order by row_number) as occurrence
    from admissions
),

across_reports as (
    select
        later.report_id,
        later.unit_code,
        later.period_code,
        later.sheet,
        later.row_number,
        later.member_key,
        earlier.report_id as other_report_id,
        earlier.row_number as other_row_number,
        row_number() over (
            partition by later.report_id, later.row_number
            order by earlier.period_index, earlier.received_at, earlier.report_id
        ) as match_rank
    from admissions as later
    inner join accepted_admissions as earlier
        on
            later.member_key = earlier.member_key
            and not (
                later.unit_code = earlier.unit_code and later.period_code = earlier.period_code
            )
            and (
                later.period_index > earlier.period_index
                or (
                    later.period_index = earlier.period_index
                    and (
                        later.received_at > earlier.received_at
                        or (
                            later.received_at = earlier.received_at
                            and later.report_id > earlier.report_id
                        )
                    )
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
    where match_rank = 1
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
