-- Every unit and period publishes at most one report version.
select
    unit_code,
    period_code,
    count(*) as published_versions
from {{ ref('int_report_status') }}
where is_published
group by unit_code, period_code
having count(*) > 1
