-- DQ_ENTERPRISE_OTHER_UNIT: an enterprise or agency (tax code) is in one reporting unit's scope
-- for a period (the contract's grain of fct_enterprise_snapshots is enterprise x period). Of
-- the units that list a tax code for a period, it belongs to the one that listed it first by
-- arrival (received_at, then version, then report_id), among the versions no other blocking
-- rule refused, provided that unit's standing version (the newest such) still lists it. Every
-- version of another unit listing it for that period, arrived after that first listing, gets
-- the error naming the first report, so an accepted report is never taken back out by a later
-- one.
{%- set other_blocking_rules = blocking_rule_models(except=[
    'int_findings__enterprise_other_unit',
    'int_findings__gate',
]) %}

with

organizations as (
    select * from {{ ref('int_organizations_enriched') }}
    where tax_code is not null
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

refused_by_other_rules as (
    {{ versions_refused_by(other_blocking_rules) }}
),

listings as (
    select
        organizations.report_id,
        organizations.unit_code,
        organizations.period_code,
        organizations.sheet,
        organizations.row_number,
        organizations.tax_code,
        versions.received_at,
        versions.version,
        coalesce(versions.parser_error_count, 0) = 0
        and organizations.report_id not in (
            select refused_by_other_rules.report_id from refused_by_other_rules
        ) as is_candidate
    from organizations
    inner join versions
        on organizations.report_id = versions.report_id
),

standing_versions as (
    select
        report_id,
        unit_code,
        period_code
    from versions
    where
        coalesce(parser_error_count, 0) = 0
        and report_id not in (select refused_by_other_rules.report_id from refused_by_other_rules)
    qualify row_number() over (
        partition by unit_code, period_code
        order by version desc, received_at desc
    ) = 1
),

-- Units whose standing version lists the tax code for the period.
holders as (
    select distinct
        listings.tax_code,
        listings.unit_code,
        listings.period_code
    from listings
    inner join standing_versions
        on listings.report_id = standing_versions.report_id
),

owners as (
    select
        listings.tax_code,
        listings.unit_code,
        listings.period_code,
        listings.report_id,
        listings.row_number,
        listings.received_at,
        listings.version
    from listings
    inner join holders
        on
            listings.tax_code = holders.tax_code
            and listings.unit_code = holders.unit_code
            and listings.period_code = holders.period_code
    where listings.is_candidate
    qualify row_number() over (
        partition by listings.tax_code, listings.period_code
        order by listings.received_at, listings.version, listings.report_id, listings.row_number
    ) = 1
),

conflicts as (
    select
        listings.report_id,
        listings.unit_code,
        listings.period_code,
        listings.sheet,
        listings.row_number,
        listings.tax_code,
        owners.unit_code as owner_unit_code,
        owners.report_id as owner_report_id,
        owners.row_number as owner_row_number
    from listings
    inner join owners
        on
            listings.tax_code = owners.tax_code
            and listings.period_code = owners.period_code
            and listings.unit_code <> owners.unit_code
    -- Versions that arrived before the first listing are refused or superseded already.
    where
        listings.received_at > owners.received_at
        or (
            listings.received_at = owners.received_at
            and (
                listings.version > owners.version
                or (listings.version = owners.version and listings.report_id > owners.report_id)
            )
        )
    qualify row_number() over (
        partition by listings.report_id, listings.tax_code
        order by listings.row_number
    ) = 1
),

final as (
    select
        report_id,
        unit_code,
        period_code,
        'DQ_ENTERPRISE_OTHER_UNIT' as rule_code,
        sheet,
        row_number,
        'tax_code' as column_name,
        tax_code as value,
        'đơn vị chưa có trong báo cáo của đơn vị khác cùng kỳ / '
        || 'a unit no other reporting unit lists for the period' as expected,
        'Mã số thuế ' || tax_code || ' đã có trong báo cáo ' || owner_report_id || ' (dòng '
        || cast(owner_row_number as varchar) || ') của đơn vị ' || owner_unit_code
        || ' cùng kỳ ' || period_code as message_vi,
        'Tax code ' || tax_code || ' is already listed in report ' || owner_report_id || ' (row '
        || cast(owner_row_number as varchar) || ') of unit ' || owner_unit_code
        || ' for the same period ' || period_code as message_en
    from conflicts
)

select * from final
