-- Named queries of the written evaluation, over the published marts only.
--
-- Each block starts with `-- name: <name>` and a comment saying what it returns. Every query
-- runs once for all the scopes evaluated together (the pipeline evaluates every province in one
-- pass), not once per scope. They are in the temporary table `evaluated` (scope_code: the unit
-- or GSO province code; period_code: the period evaluated for it); the evaluation first
-- materialises `scope_units` (below) as a temporary table, and a query reads a scope's units
-- and its evaluated period (scope_period) from it. A query whose first column is scope_code
-- gives each scope the rows bearing its code, in the query's order; any other query's rows are
-- every scope's. Parameters are DuckDB named parameters: $periods (the list of periods a figure
-- covers) and the ones a query names itself ($indicator, $unit, $org_kind).
--
-- Figure queries (used by fig() in the template) return, after scope_code, one row per source
-- row of a report version: report_id, unit_code, period_code, sheet, row_number (null for the
-- summary sheet, whose row is named by row_label = the indicator code) and value, a whole
-- number. The figure is the sum of value, and those rows are its provenance (…_nguon.csv),
-- added up by report version, sheet and row label in the database (queries.py SOURCES_SQL).
-- Only each unit's OWN figures are read (mart_indicators rows with a report_id), never roll-up
-- rows, so nothing is counted twice.

-- name: scope_units
-- The reporting units whose own reports make up each evaluated scope: every reporting unit of
-- the scope's subtree (the scope itself included) with no reporting unit below it, named as at
-- the end of the scope's evaluated period (scope_period).
with recursive tree (scope_code, unit_code) as (
    select
        evaluated.scope_code,
        cast(evaluated.scope_code as varchar)
    from evaluated
    union
    select
        tree.scope_code,
        child.unit_code
    from marts.dim_reporting_unit as child
    inner join tree on child.parent_unit_code = tree.unit_code
),

leaves as (
    select units.*
    from marts.dim_reporting_unit as units
    where
        units.is_reporting
        and not exists (
            select 1
            from marts.dim_reporting_unit as below
            where below.parent_unit_code = units.unit_code and below.is_reporting
        )
)

select
    tree.scope_code,
    evaluated.period_code as scope_period,
    leaves.unit_code,
    coalesce(
        max(leaves.unit_name) filter (
            where periods.period_end
            between leaves.valid_from and coalesce(leaves.valid_to, date '9999-12-31')
        ),
        max(leaves.unit_name)
    ) as unit_name
from tree
inner join evaluated on tree.scope_code = evaluated.scope_code
inner join leaves on tree.unit_code = leaves.unit_code
left join marts.dim_period as periods on evaluated.period_code = periods.period_code
group by tree.scope_code, evaluated.period_code, leaves.unit_code;

-- name: scope
-- The evaluated unit (or province) as the registry names it.
select
    evaluated.scope_code,
    units.unit_code,
    max(units.unit_name) as unit_name,
    max(units.unit_kind) as unit_kind,
    max(units.province_code) as province_code
from marts.dim_reporting_unit as units
inner join evaluated on units.unit_code = evaluated.scope_code
group by evaluated.scope_code, units.unit_code;

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
-- Progress against every target a plan sets on the scope or one of its units, as of the scope's
-- evaluated period (mart_target_attainment); the evaluation keeps the plans it was asked for.
select
    evaluated.scope_code,
    targets.plan_code,
    targets.plan_name,
    targets.indicator_code,
    targets.scope_unit_code,
    targets.target_kind,
    targets.window_kind,
    targets.window_start,
    targets.window_end,
    targets.evaluation_start,
    targets.actual_value,
    targets.window_actual_value,
    targets.stock_value,
    targets.target_min,
    targets.target_max,
    targets.share_pct,
    targets.target_value,
    targets.attainment_pct,
    targets.status,
    targets.is_above_max,
    targets.note
from marts.mart_target_attainment as targets
inner join evaluated on targets.as_of_period_code = evaluated.period_code
where
    targets.scope_unit_code = evaluated.scope_code
    or targets.scope_unit_code in (
        select scope_units.unit_code
        from scope_units
        where scope_units.scope_code = evaluated.scope_code
    )
order by evaluated.scope_code, targets.plan_code, targets.indicator_code;

-- name: scope_plans
-- The plans with a target on the scope or one of its units, as of the scope's evaluated period.
select distinct
    evaluated.scope_code,
    targets.plan_code
from marts.mart_target_attainment as targets
inner join evaluated on targets.as_of_period_code = evaluated.period_code
where
    targets.scope_unit_code = evaluated.scope_code
    or targets.scope_unit_code in (
        select scope_units.unit_code
        from scope_units
        where scope_units.scope_code = evaluated.scope_code
    )
order by evaluated.scope_code, targets.plan_code;

-- name: tong_hop
-- Figure: the summary-sheet (TongHop) value of $indicator reported by the scope's units.
select
    scope_units.scope_code,
    indicators.report_id,
    indicators.unit_code,
    indicators.period_code,
    'TongHop' as sheet,
    cast(null as integer) as row_number,
    indicators.indicator_code as row_label,
    indicators.reported_value as value
from marts.mart_indicators as indicators
inner join scope_units on indicators.unit_code = scope_units.unit_code
where
    indicators.indicator_code = $indicator
    and list_contains($periods, indicators.period_code)
    and indicators.report_id is not null
    and indicators.reported_value is not null;

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
    scope_units.scope_code,
    indicators.report_id,
    indicators.unit_code,
    indicators.period_code,
    'TongHop' as sheet,
    cast(null as integer) as row_number,
    indicators.indicator_code as row_label,
    indicators.reported_value as value
from marts.mart_indicators as indicators
inner join scope_units on indicators.unit_code = scope_units.unit_code
where
    indicators.indicator_code = $indicator
    and list_contains($periods, indicators.period_code)
    and indicators.report_id is not null
    and (
        indicators.unit_code in (select tree.unit_code from tree)
        or indicators.unit_code in (
            select dim_reporting_unit.unit_code
            from marts.dim_reporting_unit
            where dim_reporting_unit.province_code = $unit
        )
    )
    and indicators.reported_value is not null;

-- name: ket_nap
-- Figure: party members admitted (KetNap rows).
select
    scope_units.scope_code,
    admissions.report_id,
    admissions.unit_code,
    admissions.period_code,
    'KetNap' as sheet,
    admissions.row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions as admissions
inner join scope_units on admissions.unit_code = scope_units.unit_code
where list_contains($periods, admissions.period_code);

-- name: ket_nap_kttn
-- Figure: party members admitted in private economic units (KetNap rows whose tax code is a
-- private unit of the report's ToChuc).
select
    scope_units.scope_code,
    admissions.report_id,
    admissions.unit_code,
    admissions.period_code,
    'KetNap' as sheet,
    admissions.row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions as admissions
inner join scope_units on admissions.unit_code = scope_units.unit_code
where
    admissions.is_private_sector
    and list_contains($periods, admissions.period_code);

-- name: ket_nap_cong_nhan
-- Figure: admitted workers and employees (công nhân, người lao động).
select
    scope_units.scope_code,
    admissions.report_id,
    admissions.unit_code,
    admissions.period_code,
    'KetNap' as sheet,
    admissions.row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions as admissions
inner join scope_units on admissions.unit_code = scope_units.unit_code
where
    admissions.category_code = 'cong_nhan_lao_dong'
    and list_contains($periods, admissions.period_code);

-- name: ket_nap_hssv
-- Figure: admitted pupils and students, high-school pupils included.
select
    scope_units.scope_code,
    admissions.report_id,
    admissions.unit_code,
    admissions.period_code,
    'KetNap' as sheet,
    admissions.row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions as admissions
inner join scope_units on admissions.unit_code = scope_units.unit_code
where
    admissions.category_code in ('hoc_sinh_sinh_vien', 'hoc_sinh_thpt')
    and list_contains($periods, admissions.period_code);

-- name: ket_nap_thpt
-- Figure: admitted high-school pupils.
select
    scope_units.scope_code,
    admissions.report_id,
    admissions.unit_code,
    admissions.period_code,
    'KetNap' as sheet,
    admissions.row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_admissions as admissions
inner join scope_units on admissions.unit_code = scope_units.unit_code
where
    admissions.category_code = 'hoc_sinh_thpt'
    and list_contains($periods, admissions.period_code);

-- name: thanh_lap
-- Figure: organisations of kind $org_kind (party, union, youth) founded in private units, each
-- traced to its ToChuc row in the report that recorded the founding.
select
    scope_units.scope_code,
    events.report_id,
    events.unit_code,
    events.period_code,
    'ToChuc' as sheet,
    snapshots.row_number,
    cast(null as varchar) as row_label,
    1 as value
from marts.fct_organization_events as events
inner join scope_units on events.unit_code = scope_units.unit_code
left join marts.fct_enterprise_snapshots as snapshots
    on
        events.report_id = snapshots.report_id
        and events.tax_code = snapshots.tax_code
where
    events.event_type = 'founded'
    and events.org_kind = $org_kind
    and events.is_private_sector
    and list_contains($periods, events.period_code);

-- name: dang_vien_kttn
-- Figure: party members in private units at the end of each period of $periods (ToChuc rows).
select
    scope_units.scope_code,
    snapshots.report_id,
    snapshots.unit_code,
    snapshots.period_code,
    'ToChuc' as sheet,
    snapshots.row_number,
    cast(null as varchar) as row_label,
    snapshots.party_members as value
from marts.fct_enterprise_snapshots as snapshots
inner join scope_units on snapshots.unit_code = scope_units.unit_code
where
    snapshots.is_private_sector
    and snapshots.party_members > 0
    and list_contains($periods, snapshots.period_code);

-- name: ket_nap_theo_don_vi
-- Admissions in the evaluated period by unit of the scope, with the state of the unit's report.
select
    scope_units.scope_code,
    scope_units.unit_code,
    scope_units.unit_name,
    coalesce(completeness.status, 'missing') as report_status,
    count(admissions.admission_key) as admitted,
    count(admissions.admission_key) filter (where admissions.is_private_sector) as admitted_private
from scope_units
left join marts.mart_reporting_completeness as completeness
    on
        scope_units.unit_code = completeness.unit_code
        and scope_units.scope_period = completeness.period_code
left join marts.fct_admissions as admissions
    on
        scope_units.unit_code = admissions.unit_code
        and scope_units.scope_period = admissions.period_code
where completeness.is_expected or completeness.status is not null
group by all
order by scope_units.scope_code, scope_units.unit_code;

-- name: chua_ket_nap_kttn
-- Units whose report for the evaluated period is published and lists no admission in a private
-- unit.
select
    scope_units.scope_code,
    scope_units.unit_code,
    scope_units.unit_name
from scope_units
inner join marts.mart_reporting_completeness as completeness
    on
        scope_units.unit_code = completeness.unit_code
        and scope_units.scope_period = completeness.period_code
        and completeness.status = 'accepted'
where
    not exists (
        select 1
        from marts.fct_admissions as admissions
        where
            admissions.unit_code = scope_units.unit_code
            and admissions.period_code = scope_units.scope_period
            and admissions.is_private_sector
    )
order by scope_units.scope_code, scope_units.unit_code;

-- name: bao_cao_thieu
-- Reports the scope's units owed for $periods that are missing or quarantined: the figures of
-- those periods leave them out.
select
    scope_units.scope_code,
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
order by scope_units.scope_code, completeness.period_code, completeness.unit_code;

-- name: nop_muon
-- Units whose report for the evaluated period arrived after the deadline.
select
    scope_units.scope_code,
    completeness.unit_code,
    scope_units.unit_name,
    cast(completeness.received_at as date) as received_date,
    completeness.deadline_date
from marts.mart_reporting_completeness as completeness
inner join scope_units
    on
        completeness.unit_code = scope_units.unit_code
        and completeness.period_code = scope_units.scope_period
where
    completeness.status in ('accepted', 'quarantined')
    and completeness.on_time = false
order by scope_units.scope_code, completeness.unit_code;

-- name: tinh_hinh_bao_cao
-- Reporting completeness of the scope's units for the evaluated period: one row per scope,
-- zeros for a scope without units.
select
    evaluated.scope_code,
    count(*) filter (where completeness.is_expected) as expected,
    count(*) filter (where completeness.status = 'accepted') as accepted,
    count(*) filter (where completeness.status = 'quarantined') as quarantined,
    count(*) filter (
        where completeness.status = 'missing' and completeness.is_expected
    ) as missing,
    count(*) filter (where completeness.on_time) as on_time,
    count(*) filter (where completeness.version_count > 1) as resubmitted
from evaluated
left join scope_units
    on evaluated.scope_code = scope_units.scope_code
left join marts.mart_reporting_completeness as completeness
    on
        scope_units.unit_code = completeness.unit_code
        and scope_units.scope_period = completeness.period_code
group by evaluated.scope_code
order by evaluated.scope_code;

-- name: chat_luong
-- Data-quality findings on the scope's reports for the evaluated period, by rule.
select
    scope_units.scope_code,
    issues.severity,
    issues.rule_code,
    max(rules.description_vi) as description_vi,
    count(*) as findings,
    count(distinct issues.unit_code) as units,
    min(issues.message_vi) as example_vi
from marts.dq_issues as issues
inner join scope_units
    on
        issues.unit_code = scope_units.unit_code
        and issues.period_code = scope_units.scope_period
left join marts.dim_dq_rule as rules
    on issues.rule_code = rules.rule_code
group by scope_units.scope_code, issues.severity, issues.rule_code
order by scope_units.scope_code asc, issues.severity asc, findings desc, issues.rule_code asc;

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
