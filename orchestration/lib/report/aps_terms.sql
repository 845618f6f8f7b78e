-- Person-years of the British and non-British groups over the forces reporting in one period,
-- with the standard error the Annual Population Survey puts on them: each force's APS standard
-- error (its 95% CI half-width / z) scaled by its months covered / 12, combined in quadrature
-- (areas independent, as ref_force_population assumes). The methodology's worked example.
select rates.nationality_group,
       count(*) as forces,
       sum(rates.person_years) as person_years,
       sqrt(sum(power(
           (population.population_ci_upper - population.population_ci_lower) / 2.0 / ?
               * rates.person_years / rates.population,
           2))) as person_years_se
from marts.rates_by_force_offence as rates
inner join reference.ref_force_population as population
    on population.force_code = rates.force_code
    and population.population_group = rates.nationality_group
    and not population.is_missing
where rates.period = ?
  and rates.offence_group = 'All offences'
  and rates.nationality_group in ('british', 'non_british')
  and rates.person_years > 0
group by rates.nationality_group
