-- Named queries of the written evaluation, over the published marts only.
--
-- Each block starts with `-- name: <name>` and a comment saying what it returns. Parameters are
-- DuckDB named parameters: $scope (the evaluated unit or GSO province code), $period (the
-- evaluated period), $periods (the list of periods a figure covers), and the ones a query names
-- itself ($indicator, $unit, $plans). The evaluation first materialises `scope_units` as a
-- temporary table; every other query reads the scope from it.
--
-- Figure queries (used by fig() in the template) return one row per source row of a report
-- version: report_id, unit_code, period_code, sheet, row_number (null for the summary sheet,
-- whose row is named by row_label = the indicator code) and value. The figure is the sum of
-- value, and those rows are its provenance (…_nguon.csv). Only each unit's OWN figures are read
-- (mart_indicators rows with a report_id), never roll-up rows, so nothing is counted twice.

-- name: scope_units
-- The reporting units whose own reports make up the scope: every reporting unit of the scope's
-- subtree (the scope itself included) with no reporting unit below it, named as at the end of
-- $period.
with recursive tree (unit_code) as (
    select cast($scope as varchar)
    union
    select child.unit_code
    from marts.dim_reporting_unit as child
    inner join tree on child.parent_unit_code = tree.unit_code
),

period as (
    select period_end from marts.dim_period
    where period_code = $period
),

leaves as (
    select units.*
    from marts.dim_reporting_unit as units
    where
        units.unit_code in (select tree.unit_code from tree)
        and units.is_reporting
        and not exists (
            select 1
            from marts.dim_reporting_unit as below
            where below.parent_unit_code = units.unit_code and below.is_reporting
        )
)

select
    leaves.unit_code,
    coalesce(
        max(leaves.unit_name) filter (
            where (select period.period_end from period)
            between leaves.valid_from and coalesce(leaves.valid_to, date '9999-12-31')
        ),
        max(leaves.unit_name)
    ) as unit_name
from leaves
group by leaves.unit_code;

-- name: scope
-- The evaluated unit (or province) as the registry names it.
select
    unit_code,
    max(unit_name) as unit_name,
    max(unit_kind) as unit_kind,
    max(province_code) as province_code
from marts.dim_reporting_unit
where unit_code = $scope
group by unit_code;

-- name: periods
-- Every period in order.
select
    period_code,
    period_index,
    year,
    half,
    period_label_vi
from marts.dim_period
order by period_index;

-- name: plan_targets
-- Progress against every target of the plans $plans set on the scope or one of its units, as of
-- $period (mart_target_attainment).
select
    plan_code,
    plan_name,
    indicator_code,
    scope_unit_code,
    target_kind,
    window_kind,
    window_start,
    window_end,
    evaluation_start,
    actual_value,
    window_actual_value,
    stock_value,
    target_min,
    target_max,
    share_pct,
    target_value,
    attainment_pct,
    status,
    is_above_max,
    note
from marts.mart_target_attainment
where
    as_of_period_code = $period
    and list_contains($plans, plan_code)
    and (
        scope_unit_code = $scope
        or scope_unit_code in (select scope_units.unit_code from scope_units)
    )
order by plan_code, indicator_code;

-- name: scope_plans
-- The plans with a target on the scope or one of its units, evaluated as of $period.
select distinct plan_code
from marts.mart_target_attainment
where
    as_of_period_code = $period
    and (
        scope_unit_code = $scope
        or scope_unit_code in (select scope_units.unit_code from scope_units)
    )
order by plan_code;

-- name: tong_hop
-- Figure: the summary-sheet (TongHop) value of $indicator reported by the scope's units.
select
    report_id,
    unit_code,
    period_code,
    'TongHop' as sheet,
    cast(null as integer) as row_number,
    indicator_code as row_label,
    reported_value as value
from marts.mart_indicators
where
    indicator_code = $indicator
    and list_contains($periods, period_code)
    and report_id is not null
    and unit_code in (select scope_units.unit_code from scope_units)
    and reported_value is not null;

-- name: chi_tieu_nguon
-- Figure: the summary-sheet rows a plan target's actual adds up (mart_target_attainment sums
-- the target unit's own figures, or its leaf units' through the roll-up): $indicator over the
-- scope units at or below $unit.
with recursive tree (unit_code) as (
    select cast($unit as varchar)
    union
    select child.unit_code
    from marts.dim_reporting_unit as child
    inner join tree on child.parent_unit_code = tree.unit_code
)

select
    report_id,
    unit_code,
    period_code,
    'TongHop' as sheet,
    cast(null as integer) as row_number,
    indicator_code as row_label,
    reported_value as value
from marts.mart_indicators
where
    indicator_code = $indicator
    and list_contains($periods, period_code)
    and report_id is not null
    and unit_code in (select scope_units.unit_code from scope_units)
    and (
        unit_code in (select tree.unit_code from tree)
        or unit_code in (
            select dim_reporting_unit.unit_code
            from marts.dim_reporting_unit
            where dim_reporting_unit.province_code = $unit
        )
    )
    and reported_value is not null;

-- name: ket_nap
-- Figure: party members admitted (KetNap rows).
select
    report_id,
    unit_code,
    period_code,
    'KetNap' as sheet,
    row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions
where
    list_contains($periods, period_code)
    and unit_code in (select scope_units.unit_code from scope_units);

-- name: ket_nap_kttn
-- Figure: party members admitted in private economic units (KetNap rows whose tax code is a
-- private unit of the report's ToChuc).
select
    report_id,
    unit_code,
    period_code,
    'KetNap' as sheet,
    row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions
where
    is_private_sector
    and list_contains($periods, period_code)
    and unit_code in (select scope_units.unit_code from scope_units);

-- name: ket_nap_cong_nhan
-- Figure: admitted workers and employees (công nhân, người lao động).
select
    report_id,
    unit_code,
    period_code,
    'KetNap' as sheet,
    row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions
where
    category_code = 'cong_nhan_lao_dong'
    and list_contains($periods, period_code)
    and unit_code in (select scope_units.unit_code from scope_units);

-- name: ket_nap_hssv
-- Figure: admitted pupils and students, high-school pupils included.
select
    report_id,
    unit_code,
    period_code,
    'KetNap' as sheet,
    row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions
where
    category_code in ('hoc_sinh_sinh_vien', 'hoc_sinh_thpt')
    and list_contains($periods, period_code)
    and unit_code in (select scope_units.unit_code from scope_units);

-- name: ket_nap_thpt
-- Figure: admitted high-school pupils.
select
    report_id,
    unit_code,
    period_code,
    'KetNap' as sheet,
    row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions
where
    category_code = 'hoc_sinh_thpt'
    and list_contains($periods, period_code)
    and unit_code in (select scope_units.unit_code from scope_units);

-- name: thanh_lap
-- Figure: organisations of kind $org_kind (party, union, youth) founded in private units, each
-- traced to its ToChuc row in the report that recorded the founding.
select
    events.report_id,
    events.unit_code,
    events.period_code,
    'ToChuc' as sheet,
    snapshots.row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_organization_events as events
left join marts.fct_enterprise_snapshots as snapshots
    on
        events.report_id = snapshots.report_id
        and events.tax_code = snapshots.tax_code
where
    events.event_type = 'founded'
    and events.org_kind = $org_kind
    and events.is_private_sector
    and list_contains($periods, events.period_code)
    and events.unit_code in (select scope_units.unit_code from scope_units);

-- name: dang_vien_kttn
-- Figure: party members in private units at the end of each period of $periods (ToChuc rows).
select
    report_id,
    unit_code,
    period_code,
    'ToChuc' as sheet,
    row_number,
    cast(null as varchar) as row_label,
    party_members as value
from marts.fct_enterprise_snapshots
where
    is_private_sector
    and party_members > 0
    and list_contains($periods, period_code)
    and unit_code in (select scope_units.unit_code from scope_units);

-- name: ket_nap_theo_don_vi
-- Admissions in $period by unit of the scope, with the state of the unit's report.
select
    scope_units.unit_code,
    scope_units.unit_name,
    coalesce(completeness.status, 'missing') as report_status,
    count(admissions.admission_key) as admitted,
    count(admissions.admission_key) filter (where admissions.is_private_sector) as admitted_private
from scope_units
left join marts.mart_reporting_completeness as completeness
    on
        scope_units.unit_code = completeness.unit_code
        and completeness.period_code = $period
left join marts.fct_admissions as admissions
    on
        scope_units.unit_code = admissions.unit_code
        and admissions.period_code = $period
where completeness.is_expected or completeness.status is not null
group by all
order by scope_units.unit_code;

-- name: chua_ket_nap_kttn
-- Units whose report for $period is published and lists no admission in a private unit.
select
    scope_units.unit_code,
    scope_units.unit_name
from scope_units
inner join marts.mart_reporting_completeness as completeness
    on
        scope_units.unit_code = completeness.unit_code
        and completeness.period_code = $period
        and completeness.status = 'accepted'
where
    not exists (
        select 1
        from marts.fct_admissions as admissions
        where
            admissions.unit_code = scope_units.unit_code
            and admissions.period_code = $period
            and admissions.is_private_sector
    )
order by scope_units.unit_code;

-- name: bao_cao_thieu
-- Reports the scope's units owed for $periods that are missing or quarantined: the figures of
-- those periods leave them out.
select
    completeness.unit_code,
    scope_units.unit_name,
    completeness.period_code,
    completeness.status,
    completeness.report_id
from marts.mart_reporting_completeness as completeness
inner join scope_units
    on completeness.unit_code = scope_units.unit_code
where
    list_contains($periods, completeness.period_code)
    and completeness.is_expected
    and completeness.status in ('missing', 'quarantined')
order by completeness.period_code, completeness.unit_code;

-- name: nop_muon
-- Units whose report for $period arrived after the deadline.
select
    completeness.unit_code,
    scope_units.unit_name,
    cast(completeness.received_at as date) as received_date,
    completeness.deadline_date
from marts.mart_reporting_completeness as completeness
inner join scope_units
    on completeness.unit_code = scope_units.unit_code
where
    completeness.period_code = $period
    and completeness.status in ('accepted', 'quarantined')
    and completeness.on_time = false
order by completeness.unit_code;

-- name: tinh_hinh_bao_cao
-- Reporting completeness of the scope's units for $period.
select
    count(*) filter (where completeness.is_expected) as expected,
    count(*) filter (where completeness.status = 'accepted') as accepted,
    count(*) filter (where completeness.status = 'quarantined') as quarantined,
    count(*) filter (
        where completeness.status = 'missing' and completeness.is_expected
    ) as missing,
    count(*) filter (where completeness.on_time) as on_time,
    count(*) filter (where completeness.version_count > 1) as resubmitted
from marts.mart_reporting_completeness as completeness
inner join scope_units
    on completeness.unit_code = scope_units.unit_code
where completeness.period_code = $period;

-- name: chat_luong
-- Data-quality findings on the scope's reports for $period, by rule.
select
    issues.severity,
    issues.rule_code,
    max(rules.description_vi) as description_vi,
    count(*) as findings,
    count(distinct issues.unit_code) as units,
    min(issues.message_vi) as example_vi
from marts.dq_issues as issues
inner join scope_units
    on issues.unit_code = scope_units.unit_code
left join marts.dim_dq_rule as rules
    on issues.rule_code = rules.rule_code
where issues.period_code = $period
group by issues.severity, issues.rule_code
order by issues.severity asc, findings desc, issues.rule_code asc;

-- name: tinh_co_bao_cao
-- Provinces (GSO code) with a published report, and the latest period any of their units
-- reported: what the pipeline evaluates after each publish.
select
    units.province_code,
    max(periods.period_code order by periods.period_index) as latest_period
from marts.mart_reporting_completeness as completeness
inner join marts.dim_reporting_unit as units
    on completeness.unit_code = units.unit_code
inner join marts.dim_period as periods
    on completeness.period_code = periods.period_code
where completeness.status = 'accepted'
group by units.province_code
order by units.province_code;
