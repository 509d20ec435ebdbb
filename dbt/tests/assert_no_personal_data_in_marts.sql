-- No name, CCCD or birth date column reaches the published schema.
-- It runs after every mart is built (depends_on below; a unit test keeps the list complete)
-- and is a blocking check on fct_admissions in Dagster.
{{ config(meta={'dagster': {'ref': {'name': 'fct_admissions'}}}) }}
-- depends_on: {{ ref('dim_coded_value') }}
-- depends_on: {{ ref('dim_dq_rule') }}
-- depends_on: {{ ref('dim_enterprise') }}
-- depends_on: {{ ref('dim_indicator') }}
-- depends_on: {{ ref('dim_period') }}
-- depends_on: {{ ref('dim_reporting_unit') }}
-- depends_on: {{ ref('dq_issues') }}
-- depends_on: {{ ref('fct_admissions') }}
-- depends_on: {{ ref('fct_enterprise_snapshots') }}
-- depends_on: {{ ref('fct_organization_events') }}
-- depends_on: {{ ref('mart_indicators') }}
-- depends_on: {{ ref('mart_indicators_rollup') }}
-- depends_on: {{ ref('mart_reporting_completeness') }}
-- depends_on: {{ ref('mart_reporting_rate') }}
-- depends_on: {{ ref('mart_restatements') }}
-- depends_on: {{ ref('mart_target_attainment') }}

select
    table_name,
    column_name
from information_schema.columns
where
    table_schema = 'marts'
    and (
        lower(column_name) in ('name', 'full_name', 'ho_ten', 'cccd', 'so_cccd', 'birth_date')
        or lower(column_name) like '%cccd%'
        or lower(column_name) like '%birth_date%'
    )
