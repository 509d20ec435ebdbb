{#
    Models incremental by report version keep one set of rows per version as it was last
    parsed (`parsed_at`). `new_report_versions_only(versions)` keeps a run to the versions not
    built yet or parsed again since; `drop_versions_parsed_again()` is the post-hook that removes
    rows of versions parsed again without them. A full refresh gives the same rows.
#}
{% macro new_report_versions_only(versions) -%}
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as existing
            where
                existing.report_id = {{ versions }}.report_id
                and existing.parsed_at = {{ versions }}.parsed_at
        )
    {% endif %}
{%- endmacro %}

{% macro drop_versions_parsed_again() -%}
    delete from {{ this }} as existing
    where not exists (
        select 1 from {{ ref('int_report_versions') }} as versions
        where
            versions.report_id = existing.report_id
            and versions.parsed_at = existing.parsed_at
    )
{%- endmacro %}
