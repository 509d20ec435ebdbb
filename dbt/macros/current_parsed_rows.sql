{#
    The rows of a parsed table that count: those of the batch the newest `report` row of their
    report version names. Rows of a batch cut short, or superseded by a re-parse, are left out.
    (`is not distinct from`: rows that come with no batch, as `tcd validate --against` gives
    the published history, count as one batch.)
#}
{% macro current_parsed_rows(table_name) -%}
    select source_rows.*
    from {{ source('parsed', table_name) }} as source_rows
    inner join (
        select
            report_id,
            max(batch_id) as batch_id
        from {{ source('parsed', 'report') }}
        group by report_id
    ) as current_batches
        on
            source_rows.report_id = current_batches.report_id
            and source_rows.batch_id is not distinct from current_batches.batch_id
{%- endmacro %}
