-- Cells per force-month for one period (optional mart: months otherwise come from each range).
select force_code, month, return_id, cells, suppressed_cells
from marts.force_month_coverage
where period = ?
order by force_code, month
