-- DQ_PART_LE_WHOLE: an "of them" figure never exceeds the figure it is part of (the
-- catalogue's parent_code), e.g. 8 high-school students inside 41 students inside 227 admitted.
with

summary_rows as (
    select * from {{ ref('stg_parsed__summary_rows') }}
    where indicator_code is not null
),

catalogue as (
    select
        indicator_code,
        parent_code
    from {{ ref('indicator_catalogue') }}
    where parent_code is not null and parent_code <> ''
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

violations as (
    select
        parts.report_id,
        parts.sheet,
        parts.row_number,
        parts.indicator_code,
        parts.reported_value as part_value,
        wholes.indicator_code as whole_code,
        wholes.reported_value as whole_value
    from summary_rows as parts
    inner join catalogue
        on parts.indicator_code = catalogue.indicator_code
    inner join summary_rows as wholes
        on
            parts.report_id = wholes.report_id
            and catalogue.parent_code = wholes.indicator_code
    where parts.reported_value > wholes.reported_value
),

final as (
    select
        violations.report_id,
        versions.unit_code,
        versions.period_code,
        'DQ_PART_LE_WHOLE' as rule_code,
        violations.sheet,
        violations.row_number,
        violations.indicator_code as column_name,
        cast(violations.part_value as varchar) as value,
        '<= ' || cast(violations.whole_value as varchar) || ' (' || violations.whole_code || ')'
            as expected,
        'Chỉ tiêu "trong đó" ' || violations.indicator_code || ' = '
        || cast(violations.part_value as varchar) || ' lớn hơn chỉ tiêu tổng '
        || violations.whole_code || ' = ' || cast(violations.whole_value as varchar)
            as message_vi,
        'Part ' || violations.indicator_code || ' = ' || cast(violations.part_value as varchar)
        || ' exceeds its whole ' || violations.whole_code || ' = '
        || cast(violations.whole_value as varchar) as message_en
    from violations
    inner join versions
        on violations.report_id = versions.report_id
)

select * from final
