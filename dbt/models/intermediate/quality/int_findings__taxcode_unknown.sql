-- DQ_TAXCODE_UNKNOWN: every admission's tax code is one of the report's own ToChuc units. Not run
-- on a report whose parser refused a sheet or the file (its ToChuc rows may be missing).
with

admissions as (
    select * from {{ ref('int_admissions_enriched') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

final as (
    select
        admissions.report_id,
        admissions.unit_code,
        admissions.period_code,
        'DQ_TAXCODE_UNKNOWN' as rule_code,
        admissions.sheet,
        admissions.row_number,
        'tax_code' as column_name,
        admissions.tax_code as value,
        'mã số thuế có trong bảng ToChuc / a tax code listed in ToChuc' as expected,
        'Mã số thuế ' || admissions.tax_code
        || ' không có trong danh sách đơn vị (ToChuc) của báo cáo' as message_vi,
        'Tax code ' || admissions.tax_code
        || ' is not among the report''s units (ToChuc)' as message_en
    from admissions
    inner join versions
        on admissions.report_id = versions.report_id
    where
        admissions.tax_code is not null
        and not admissions.is_tax_code_known
        and not versions.has_refused_sheet
)

select * from final
