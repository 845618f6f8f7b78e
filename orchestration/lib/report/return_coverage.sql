-- Which forces sent a return for one period, and its status: the report's coverage table.
select force_code, force_name, region, status, quarantine_reason, return_ids,
       superseded_return_ids, months_covered, cells, suppressed_cells,
       unknown_nationality_share, data_origin
from marts.return_coverage
where period = ?
order by case status when 'received' then 0 when 'quarantined' then 1 else 2 end, region,
         force_name
