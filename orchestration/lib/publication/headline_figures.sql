-- The headline figures in the order the publication's summary shows them: shares before ratios.
select figure_id, description, period, value, value_lower, value_upper, estimate_method,
       ci_lower, ci_upper, unit, forces_reporting,
       forces_total, population_coverage, data_origin
from marts.headline_figures
order by period, case unit when 'share' then 0 else 1 end, figure_id
