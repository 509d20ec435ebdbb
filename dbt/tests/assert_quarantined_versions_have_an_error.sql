-- A quarantined version always has an error finding in dq_issues to say why.
-- A check on dq_issues in Dagster.
{{ config(meta={'dagster': {'ref': {'name': 'dq_issues'}}}) }}

select statuses.report_id
from {{ ref('int_report_status') }} as statuses
left join {{ ref('dq_issues') }} as issues
    on
        statuses.report_id = issues.report_id
        and issues.severity = 'error'
where statuses.is_quarantined and issues.report_id is null
