-- Every force-month of one period: received, quarantined (with the reason) or missing.
select force_code, month, status, return_ids, quarantined_folders, quarantine_reason, cells,
       suppressed_cells, data_origin
from marts.force_month_coverage
where period = ?
order by force_code, month
