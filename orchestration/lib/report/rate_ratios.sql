-- Non-British vs British rate ratios, by region and for England and Wales, for one period.
select geography_level, geography_code, geography_name, offence_group, non_british_arrests,
       british_arrests, non_british_population, british_population, non_british_rate_per_100k,
       british_rate_per_100k, rate_ratio, rate_ratio_ci_lower, rate_ratio_ci_upper,
       forces_reporting, population_coverage, suppressed_cells, unknown_nationality_share,
       is_complete, data_origin
from marts.nationality_rate_ratios
where period = ?
order by geography_level, geography_name, offence_group
