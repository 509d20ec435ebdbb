{#
    One unit version per unit and period: the version in force at the period's end, else one in
    force during the period, else the nearest in time (an organisation founded before the unit's
    first registry version). Facts join it on unit_code and period_code to carry
    unit_version_key, the primary key of dim_reporting_unit.
#}
{% macro unit_versions_by_period() %}
    select
        unit_code,
        period_code,
        unit_version_key
    from (
        select
            units.unit_code,
            periods.period_code,
            units.unit_version_key,
            row_number() over (
                partition by units.unit_code, periods.period_code
                order by
                    periods.period_end between coalesce(units.valid_from, date '0001-01-01')
                    and coalesce(units.valid_to, date '9999-12-31') desc,
                    coalesce(units.valid_from, date '0001-01-01') <= periods.period_end
                    and coalesce(units.valid_to, date '9999-12-31') >= periods.period_start desc,
                    least(
                        abs(date_diff(
                            'day', periods.period_end, coalesce(units.valid_from, date '0001-01-01')
                        )),
                        abs(date_diff(
                            'day', periods.period_start, coalesce(units.valid_to, date '9999-12-31')
                        ))
                    )
            ) as version_rank
        from {{ ref('dim_reporting_unit') }} as units
        cross join {{ ref('dim_period') }} as periods
    ) as ranked
    where version_rank = 1
{% endmacro %}
