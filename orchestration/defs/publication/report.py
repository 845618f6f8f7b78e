"""The HTML report, rebuilt after every refresh from the file just published, with the claims of
the figure list (`WarehouseConfig.figures_path`, default data/figures.yml) answered again.
After the docs, so the report links them from the first refresh on."""

import dagster as dg

from orchestration.defs.publication.assets import published_warehouse
from orchestration.defs.publication.docs import expectations_docs, warehouse_docs
from orchestration.defs.resources import WarehouseConfig
from orchestration.lib.report import build_report


@dg.asset(
    deps=[published_warehouse, warehouse_docs, expectations_docs],
    group_name="publication",
    kinds={"html"},
    description="The self-contained HTML report (<warehouse dir>/report/index.html) with the "
    "claims of the figure list, each with its coverage.",
)
def warehouse_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseConfig
) -> dg.MaterializeResult:
    settings = warehouse.settings
    unanswered: list[str] = []

    def warn(message: str) -> None:
        unanswered.append(message)
        context.log.warning(message)

    path = build_report(settings.published, settings.report_dir, settings.figures, warn)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "figure_list": dg.MetadataValue.path(str(settings.figures)),
            "claims_unanswered": len(unanswered),
        }
    )
