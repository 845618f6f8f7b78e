-- Non-British vs British rate ratios, by region and for England and Wales, for one period.
select geography_level, geography_code, geography_name, offence_group,
       non_british_arrests, non_british_arrests_lower, non_british_arrests_upper,
       british_arrests, british_arrests_lower, british_arrests_upper,
       unknown_arrests, unknown_arrests_lower, unknown_arrests_upper,
       non_british_person_years, british_person_years, rate_ratio, rate_ratio_lower,
       rate_ratio_upper, rate_ratio_lower_incl_unknown, rate_ratio_upper_incl_unknown,
       rate_ratio_ci_lower, rate_ratio_ci_upper, population_relative_se, estimate_method,
       forces_reporting, population_coverage, suppressed_cells, unknown_nationality_share,
       months_covered, is_complete, data_origin
from marts.nationality_rate_ratios
where period = ?
order by geography_level, geography_name, offence_group
