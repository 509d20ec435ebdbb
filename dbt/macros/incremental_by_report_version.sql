{#
    Models incremental by report version keep one set of rows per version as it was last
    parsed (`parsed_at`). `new_report_versions_only(versions)` keeps a run to the versions not
    built yet or parsed again since. `drop_versions_not_in(versions)` is the post-hook that
    removes rows of versions no longer in `versions`: ref('int_report_versions') for models of
    every version (a version parsed again since), ref('int_published_reports') for models of
    published versions keyed by unit and period (quarantined, superseded or parsed again; a new
    version replaces the rows of the one it supersedes), or the model they mirror. A full
    refresh gives the same rows.
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

{% macro drop_versions_not_in(versions) -%}
    delete from {{ this }} as existing
    where not exists (
        select 1 from {{ versions }} as kept
        where
            kept.report_id = existing.report_id
            and kept.parsed_at = existing.parsed_at
    )
{%- endmacro %}
