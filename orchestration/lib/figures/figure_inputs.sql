-- The numerators, person-years and coverage of one figure request, per area and nationality
-- group, from the month grain (marts.arrests_by_month) and the month coverage
-- (marts.force_month_coverage); the measures (rates, intervals, shares, ratios) are computed from
-- these in measures.py, as the marts compute them from int_rate_inputs_by_area.
--   $months    the requested months (first of month)
--   $kind      'all', 'group', 'category', 'code', or a flag: 'child_sexual', 'under_13',
--              'indecent_images', 'prostitution'
--   $value     the group, category or code (null for 'all' and the flags)
--   $level     'national', 'region' or 'force'
--   $forces    force codes to keep at the force level (empty: every force)
with requested as (
    select unnest($months::date[]) as month
),

forces as (
    select force_code, force_name, region_code, region_name
    from reference.ref_forces
),

population as (
    select force_code, population_group, population, population_ci_lower, population_ci_upper
    from reference.ref_force_population
    where not is_missing
),

-- months a force covers: its returns declare them (status 'received'), with or without cells
covered as (
    select force_code, count(*) as months_covered, max(data_origin) as data_origin
    from marts.force_month_coverage
    where status = 'received' and month in (select month from requested)
    group by force_code
),

cells as (
    select *
    from marts.arrests_by_month
    where month in (select month from requested)
),

-- Which forces stand behind the figure. An offence group (or all offences): the forces that
-- cover a requested month and sent at least one cell of the group in the range (a zero counts).
-- A category, code or flag: only forces whose returns name offences in the range; a return by
-- offence group cannot say whether a victim was a child.
behind as (
    select covered.force_code, covered.months_covered, covered.data_origin
    from covered
    where case
        when $kind = 'all' then true
        when $kind = 'group' then covered.force_code in (
            select force_code from cells where offence_group = $value)
        else covered.force_code in (select force_code from cells where offence_code is not null)
    end
),

selected as (
    select
        force_code,
        nationality_group,
        sum(arrests_lower) as arrests_lower,
        sum(arrests_upper) as arrests_upper,
        sum(suppressed_cells) as suppressed_cells,
        sum(cells) as cells
    from cells
    where case $kind
        when 'all' then true
        when 'group' then offence_group = $value
        when 'category' then offence_category = $value
        when 'code' then offence_code = $value
        when 'child_sexual' then coalesce(is_sexual_offence and is_child_victim, false)
            or coalesce(is_indecent_images_of_children, false)
        when 'under_13' then coalesce(is_victim_under_13, false)
        when 'indecent_images' then coalesce(is_indecent_images_of_children, false)
        when 'prostitution' then coalesce(is_prostitution_related, false)
    end
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

area_forces as (
    select 'national' as area_level, 'K04000001' as area_code, 'England and Wales' as area_name,
        force_code, force_name
    from forces
    where $level = 'national'
    union all
    select 'region', region_code, region_name, force_code, force_name
    from forces
    where $level = 'region'
    union all
    select 'force', force_code, force_name, force_code, force_name
    from forces
    where $level = 'force' and (len($forces) = 0 or list_contains($forces, force_code))
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
