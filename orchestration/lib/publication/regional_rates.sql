-- What `warehouse refresh` prints after publishing: all offences by region, rounded for the console.
select region, nationality_group, arrests_lower, arrests_upper, round(rate_per_100k, 1) as rate_per_100k,
       estimate_method,
       round(rate_ci_lower, 1) as ci_lower, round(rate_ci_upper, 1) as ci_upper,
       forces_reporting, forces_in_region, round(population_coverage, 3) as population_coverage,
       months_covered, data_origin
from marts.rates_by_region_offence
where offence_group = 'All offences'
order by region, nationality_group
