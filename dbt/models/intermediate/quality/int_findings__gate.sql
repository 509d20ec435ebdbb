-- DQ_GATE_GX: a blocking mart check (an expectation of the suites in expectations/) failed on
-- rows of this report version, and the load's gate (dagster_project/quality/gate.py) traced the
-- failure to it: the version is quarantined so the others publish. A decision holds for the
-- version as parsed then; parsed again, it is checked afresh.
with

decisions as (
    select * from {{ ref('stg_gate__quarantine') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

final as (
    select
        decisions.report_id,
        versions.unit_code,
        versions.period_code,
        'DQ_GATE_GX' as rule_code,
        decisions.sheet,
        cast(
            nullif(split_part(decisions.row_numbers, ',', 1), '') as integer
        ) as row_number,
        decisions.column_name,
        decisions.row_numbers as value,
        decisions.gx_rule_code || ': ' || decisions.expectation as expected,
        'Kiểm tra chặn ' || decisions.check_name || ' (bảng ' || decisions.table_name
        || ', ' || decisions.gx_rule_code || ' ' || decisions.expectation
        || coalesce(', cột ' || decisions.column_name, '') || ') không đạt ở '
        || cast(decisions.row_count as varchar) || ' dòng của báo cáo này'
        || coalesce(' (dòng ' || nullif(decisions.row_numbers, '') || ')', '')
        || '; báo cáo bị cách ly để các báo cáo khác được công bố' as message_vi,
        'Blocking check ' || decisions.check_name || ' (table ' || decisions.table_name
        || ', ' || decisions.gx_rule_code || ' ' || decisions.expectation
        || coalesce(', column ' || decisions.column_name, '') || ') failed on '
        || cast(decisions.row_count as varchar) || ' row(s) of this report'
        || coalesce(' (rows ' || nullif(decisions.row_numbers, '') || ')', '')
        || '; the report is quarantined so the others publish' as message_en
    from decisions
    inner join versions
        on
            decisions.report_id = versions.report_id
            and decisions.parsed_at = versions.parsed_at
)

select * from final
