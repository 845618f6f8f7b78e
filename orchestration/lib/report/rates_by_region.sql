-- Rates by region and offence group for one period (the report's charts and tables).
select region_code, region, offence_group, nationality_group, arrests, arrests_lower,
       arrests_upper, suppressed_cells, population, person_years, rate_per_100k,
       rate_per_100k_lower, rate_per_100k_upper, rate_ci_lower, rate_ci_upper, estimate_method,
       share_of_arrests, share_of_arrests_lower, share_of_arrests_upper, forces_reporting,
       forces_in_region, population_coverage, months_covered, months_covered_max,
       unknown_nationality_share, is_complete, data_origin
from marts.rates_by_region_offence
where period = ?
order by region, offence_group, nationality_group
