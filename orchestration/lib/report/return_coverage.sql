-- Which forces sent a return for one period, months and cells: the report's coverage map.
select force_code, force_name, region, has_return, return_ids, superseded_return_ids,
       months_covered, first_month, last_month, cells, suppressed_cells,
       unknown_nationality_share, data_origin
from marts.return_coverage
where period = ?
order by has_return desc, region, force_name
