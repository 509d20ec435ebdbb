-- DQ_TAXCODE_UNKNOWN: every admission's tax code is one of the report's own ToChuc units.
with

admissions as (
    select * from {{ ref('int_admissions_enriched') }}
),

final as (
    select
        report_id,
        unit_code,
        period_code,
        'DQ_TAXCODE_UNKNOWN' as rule_code,
        sheet,
        row_number,
        'tax_code' as column_name,
        tax_code as value,
        'mã số thuế có trong bảng ToChuc / a tax code listed in ToChuc' as expected,
        'Mã số thuế ' || tax_code || ' không có trong danh sách đơn vị (ToChuc) của báo cáo'
            as message_vi,
        'Tax code ' || tax_code || ' is not among the report''s units (ToChuc)' as message_en
    from admissions
    where tax_code is not null and not is_tax_code_known
)

select * from final
