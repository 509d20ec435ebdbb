"""Pictures for the people reading the Dagster UI: target attainment by unit, at a glance."""

import base64
import io

import dagster as dg
import duckdb

from dagster_project.assets.publish import published_warehouse
from dagster_project.resources import WarehouseResource

CHART_SQL = """
with latest as (
    select
        plan_code,
        indicator_code,
        scope_unit_code,
        attainment_pct,
        status,
        row_number() over (
            partition by plan_code, indicator_code, scope_unit_code
            order by as_of_period_code desc
        ) as rn
    from marts.mart_target_attainment
    where attainment_pct is not null
)
select plan_code, indicator_code, scope_unit_code, attainment_pct, status
from latest
where rn = 1
order by plan_code, indicator_code, scope_unit_code
"""

STATUS_COLOURS = {"achieved": "#2e7d32", "on_track": "#1565c0", "behind": "#c62828"}


def attainment_png(rows: list[tuple]) -> bytes:
    """A horizontal bar chart of the latest attainment per plan target and scope."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{plan} · {indicator} · {scope}" for plan, indicator, scope, _, _ in rows]
    values = [float(pct) for _, _, _, pct, _ in rows]
    colours = [STATUS_COLOURS.get(status, "#757575") for *_, status in rows]
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(rows), 2) + 1.2), dpi=90)
    ax.barh(labels, values, color=colours)
    ax.axvline(100, color="#424242", linewidth=1, linestyle="--")
    ax.set_xlabel("attainment % (mức đạt chỉ tiêu)")
    ax.invert_yaxis()
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:g}%", va="center", fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


@dg.asset(
    group_name="publish",
    deps=[published_warehouse],
    kinds={"python"},
    owners=["team:data-engineering"],
    description=(
        "A chart of the latest target attainment per plan target and scope, drawn from the "
        "published warehouse (green achieved, blue on track, red behind)."
    ),
)
def target_attainment_chart(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = warehouse.settings()
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        rows = con.execute(CHART_SQL).fetchall()
    if not rows:
        return dg.MaterializeResult(metadata={"targets": 0})
    png = attainment_png(rows)
    path = settings.published_dir / "target_attainment.png"
    path.write_bytes(png)
    encoded = base64.b64encode(png).decode()
    return dg.MaterializeResult(
        metadata={
            "targets": len(rows),
            "behind": sum(1 for *_, status in rows if status == "behind"),
            "chart": dg.MetadataValue.md(f"![target attainment](data:image/png;base64,{encoded})"),
            "path": dg.MetadataValue.path(str(path)),
        }
    )
