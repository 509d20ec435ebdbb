-- The "summary equals detail" rule of the report contract: each summary figure that the detail
-- sheets determine, recomputed from KetNap and ToChuc for every report version. Indicators the
-- contract gives no detail rule for are absent here (their computed value is null downstream).
{%- set admission_counts = {
    'ket_nap_dang_vien': 'true',
    'ket_nap_cong_nhan_lao_dong': "category_code = 'cong_nhan_lao_dong'",
    'ket_nap_hoc_sinh_sinh_vien': "category_code in ('hoc_sinh_sinh_vien', 'hoc_sinh_thpt')",
    'ket_nap_hoc_sinh_thpt': "category_code = 'hoc_sinh_thpt'",
    'ket_nap_chu_doanh_nghiep': "category_code = 'chu_doanh_nghiep'",
    'ket_nap_kttn': 'is_private_sector',
} %}
{%- set organization_counts = {
    'tcd_thanh_lap_kttn':
        'is_private_sector and party_org_founded_date between period_start and period_end',
    'cdcs_thanh_lap': 'union_founded_date between period_start and period_end',
    'to_chuc_doan_thanh_lap': 'youth_org_founded_date between period_start and period_end',
    'tcd_kttn': "is_private_sector and party_org_type in ('chi_bo_co_so', 'dang_bo_co_so')",
    'dn_co_dv_chua_co_tcd':
        "coalesce(ownership_type not in ('co_quan_nha_nuoc', 'don_vi_su_nghiep'), true)"
        ~ " and party_members > 0 and not has_party_org",
} %}

with

versions as (
    select report_id from {{ ref('int_report_versions') }}
),

admissions as (
    select * from {{ ref('int_admissions_enriched') }}
),

organizations as (
    select * from {{ ref('int_organizations_enriched') }}
),

admission_totals as (
    select
        versions.report_id,
        {%- for code, condition in admission_counts.items() %}
            sum(case when admissions.row_number is not null and {{ condition }} then 1 else 0 end)
                as {{ code }},
        {%- endfor %}
        count(admissions.row_number) as admission_rows
    from versions
    left join admissions
        on versions.report_id = admissions.report_id
    group by versions.report_id
),

organization_totals as (
    select
        versions.report_id,
        {%- for code, condition in organization_counts.items() %}
            sum(
                case when organizations.row_number is not null and {{ condition }} then 1 else 0 end
            )
                as {{ code }},
        {%- endfor %}
        coalesce(sum(
            case when organizations.is_private_sector then organizations.party_members end
        ), 0) as dang_vien_kttn
    from versions
    left join organizations
        on versions.report_id = organizations.report_id
    group by versions.report_id
),

unpivoted as (
    {%- for code in admission_counts %}
        select
            report_id,
            '{{ code }}' as indicator_code,
            cast({{ code }} as bigint) as computed_value
        from admission_totals
        union all
    {%- endfor %}
    {%- for code in organization_counts.keys() | list + ['dang_vien_kttn'] %}
        select
            report_id,
            '{{ code }}' as indicator_code,
            cast({{ code }} as bigint) as computed_value
        from organization_totals
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        report_id,
        indicator_code,
        computed_value
    from unpivoted
)

select * from final
