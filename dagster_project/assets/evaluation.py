"""The written evaluation of every province for its latest period, after each publish."""

import dagster as dg

from dagster_project.assets.publish import published_warehouse
from dagster_project.evaluation import render, write_latest_evaluations
from dagster_project.resources import WarehouseResource


@dg.asset(
    group_name="publish",
    deps=[published_warehouse],
    kinds={"python"},
    owners=["team:data-engineering"],
    description=(
        "The evaluation (đánh giá kết quả) of every province for the latest period it reported, "
        "written from the published warehouse: a Word document staff can edit, the same text "
        "as a self-contained HTML page, and the sources of every figure (…_nguon.csv), kept "
        "under TCD_HOME/reports. A chart is drawn only when its figures changed (kept in "
        "reports/.charts); the metadata counts the charts drawn and reused."
    ),
)
def evaluation_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = warehouse.settings()
    out_dir = settings.reports_dir
    evaluations, refused = write_latest_evaluations(settings.published_db, out_dir)
    for sentence in refused:
        context.log.warning(sentence)
    metadata: dict = {
        "folder": dg.MetadataValue.path(str(out_dir)),
        "count": len(evaluations),
        "charts_drawn": sum(evaluation.charts_drawn for evaluation in evaluations),
        "charts_reused": sum(evaluation.charts_reused for evaluation in evaluations),
        "not_written": dg.MetadataValue.md("\n".join(f"- {s}" for s in refused) or "none"),
    }
    for evaluation in evaluations:
        key = f"{evaluation.scope}_{evaluation.period}"
        context.log.info(f"Wrote the evaluation of {key} to {evaluation.docx.parent}")
        metadata[f"{key} html"] = dg.MetadataValue.url(evaluation.html.resolve().as_uri())
        metadata[f"{key} docx"] = dg.MetadataValue.path(str(evaluation.docx))
        metadata[f"{key} preview"] = dg.MetadataValue.md(
            render.to_preview_markdown(evaluation.markdown)
        )
    return dg.MaterializeResult(metadata=metadata)
