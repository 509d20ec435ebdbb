-- DQ_DUPLICATE_PERSON: one person (member_key) is admitted once across all units and periods.
-- Reports are ordered by period, then arrival; the later report gets the error and the message
-- names the earlier one. Other versions of the same unit and period are resubmissions, not
-- duplicates.
with

admissions as (
    select * from {{ ref('int_admissions_enriched') }}
    where member_key is not null
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
    inner join admissions as earlier
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
