-- The headline figures of one period, shares before ratios.
select figure_id, description, value, value_lower, value_upper, value_lower_incl_unknown,
       value_upper_incl_unknown, ci_lower, ci_upper, estimate_method, numerator_lower,
       numerator_upper, denominator_lower, denominator_upper, unit, forces_reporting,
       forces_total, population_coverage, months_covered_min, suppressed_cells,
       unknown_nationality_share, is_complete, caveat, data_origin
from marts.headline_figures
where period = ?
order by case unit when 'share' then 0 else 1 end, figure_id
