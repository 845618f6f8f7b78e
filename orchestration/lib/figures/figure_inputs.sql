-- The numerators, person-years and coverage of one figure request, per area and nationality
-- group, from the month grain (marts.arrests_by_month) and the month coverage
-- (marts.force_month_coverage); the measures (rates, intervals, shares, ratios) are computed from
-- these in measures.py, as the marts compute them from int_rate_inputs_by_area.
--   $months, $kind, $value, $level, $forces   as in figure_selection.sql
with cells as (
    select *
    from marts.arrests_by_month
),

-- include: figure_selection.sql

population as (
    select force_code, population_group, population, population_ci_lower, population_ci_upper
    from reference.ref_force_population
    where not is_missing
),

selected as (
    select
        force_code,
        nationality_group,
        sum(arrests_lower) as arrests_lower,
        sum(arrests_upper) as arrests_upper,
        sum(suppressed_cells) as suppressed_cells,
        sum(cells) as cells
    from offence_cells
    group by grouping sets ((force_code, nationality_group), (force_code))
),

nationality_groups as (
    select unnest(['all', 'british', 'non_british', 'unknown']) as nationality_group
),

-- every nationality group of every force behind the figure, zero arrests included
by_force as (
    select
        behind.force_code,
        nationality_groups.nationality_group,
        coalesce(selected.arrests_lower, 0) as arrests_lower,
        coalesce(selected.arrests_upper, 0) as arrests_upper,
        coalesce(selected.suppressed_cells, 0) as suppressed_cells,
        coalesce(selected.cells, 0) as cells,
        population.population,
        population.population * behind.months_covered / 12.0 as person_years,
        -- the APS publishes a 95% interval; its half-width / z is the standard error
        (population.population_ci_upper - population.population_ci_lower) / (2 * 1.959963984540054)
            * behind.months_covered / 12.0 as person_years_se,
        behind.months_covered,
        behind.data_origin
    from behind
    cross join nationality_groups
    left join selected
        on behind.force_code = selected.force_code
        and nationality_groups.nationality_group = coalesce(selected.nationality_group, 'all')
    left join population
        on behind.force_code = population.force_code
        and population.population_group = case nationality_groups.nationality_group
            when 'all' then 'all'
            when 'british' then 'british'
            when 'non_british' then 'non_british'
        end
),

areas as (
    select
        area_forces.area_level,
        area_forces.area_code,
        area_forces.area_name,
        count(*) as forces_in_area,
        sum(population_all.population) as area_population,
        sum(case when behind.force_code is not null then population_all.population end)
            as population_reporting,
        list(area_forces.force_name order by area_forces.force_name)
            filter (where behind.force_code is null) as forces_missing
    from area_forces
    left join population as population_all
        on area_forces.force_code = population_all.force_code
        and population_all.population_group = 'all'
    left join behind on area_forces.force_code = behind.force_code
    group by area_forces.area_level, area_forces.area_code, area_forces.area_name
),

grouped as (
    select
        area_forces.area_code,
        by_force.nationality_group,
        sum(by_force.arrests_lower) as arrests_lower,
        sum(by_force.arrests_upper) as arrests_upper,
        sum(by_force.suppressed_cells) as suppressed_cells,
        sum(by_force.cells) as cells,
        -- a denominator missing for any reporting force leaves the area's rate unknown
        case when count(by_force.population) = count(*) then sum(by_force.population) end as population,
        case when count(by_force.person_years) = count(*) then sum(by_force.person_years) end
            as person_years,
        sqrt(sum(by_force.person_years_se * by_force.person_years_se)) as person_years_se,
        count(*) as forces_reporting,
        min(by_force.months_covered) as months_covered,
        max(by_force.months_covered) as months_covered_max,
        max(by_force.data_origin) as data_origin
    from by_force
    inner join area_forces on by_force.force_code = area_forces.force_code
    group by area_forces.area_code, by_force.nationality_group
)

select
    areas.area_level,
    areas.area_code,
    areas.area_name,
    nationality_groups.nationality_group,
    cast(grouped.arrests_lower as bigint) as arrests_lower,
    cast(grouped.arrests_upper as bigint) as arrests_upper,
    cast(grouped.suppressed_cells as bigint) as suppressed_cells,
    cast(grouped.cells as bigint) as cells,
    cast(grouped.population as bigint) as population,
    grouped.person_years,
    grouped.person_years_se,
    cast(coalesce(grouped.forces_reporting, 0) as integer) as forces_reporting,
    cast(areas.forces_in_area as integer) as forces_in_area,
    coalesce(areas.forces_missing, []) as forces_missing,
    cast(coalesce(grouped.months_covered, 0) as integer) as months_covered,
    cast(coalesce(grouped.months_covered_max, 0) as integer) as months_covered_max,
    coalesce(cast(areas.population_reporting as double), 0) / areas.area_population
        as population_covered,
    grouped.data_origin
from areas
cross join nationality_groups
left join grouped
    on areas.area_code = grouped.area_code
    and nationality_groups.nationality_group = grouped.nationality_group
order by areas.area_level, areas.area_code,
    list_position(['all', 'british', 'non_british', 'unknown'], nationality_groups.nationality_group)
