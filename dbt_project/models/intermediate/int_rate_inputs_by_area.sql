-- Numerators and denominators of rates for areas made of forces: each region, and England and
-- Wales (ONS code K04000001). Only forces that reported count: the denominator is their
-- person-years (each force's population × its months covered / 12), so a rate never mixes a
-- partial numerator with a whole-area or whole-year denominator; population_coverage says how
-- much of the area's population the reporting forces hold. Standard errors of the APS
-- person-years add in quadrature (the survey's areas are sampled independently).
with force_inputs as (
    select * from {{ ref('int_rate_inputs_by_force') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

population_all as (
    select force_code, population
    from {{ ref('ref_force_population') }}
    where population_group = 'all' and not is_missing
),

area_forces as (
    select 'region' as geography_level, region_code as geography_code, region_name as geography_name, force_code
    from forces
    union all
    select 'national', 'K04000001', 'England and Wales', force_code
    from forces
),

area_totals as (
    select
        area_forces.geography_level,
        area_forces.geography_code,
        count(*) as forces_in_area,
        sum(population_all.population) as area_population
    from area_forces
    left join population_all on area_forces.force_code = population_all.force_code
    group by area_forces.geography_level, area_forces.geography_code
),

reporting_population as (
    select
        reporting.period,
        area_forces.geography_level,
        area_forces.geography_code,
        sum(population_all.population) as reporting_population
    from (select distinct period, force_code from force_inputs) as reporting
    inner join area_forces on reporting.force_code = area_forces.force_code
    left join population_all on reporting.force_code = population_all.force_code
    group by reporting.period, area_forces.geography_level, area_forces.geography_code
),

grouped as (
    select
        force_inputs.period,
        area_forces.geography_level,
        area_forces.geography_code,
        area_forces.geography_name,
        force_inputs.offence_group,
        force_inputs.nationality_group,
        sum(force_inputs.arrests_lower) as arrests_lower,
        sum(force_inputs.arrests_upper) as arrests_upper,
        sum(force_inputs.suppressed_cells) as suppressed_cells,
        sum(force_inputs.cells) as cells,
        -- a denominator missing for any reporting force leaves the area's rate unknown
        case when count(force_inputs.population) = count(*) then sum(force_inputs.population) end as population,
        -- summed as decimals: exact, so an area's figure does not depend on the order its forces'
        -- rows are read in (an incremental refresh then publishes what a full one would)
        case when count(force_inputs.person_years) = count(*) then cast(sum(
            cast(force_inputs.person_years as decimal(38, 9))) as double) end as person_years,
        sqrt(cast(sum(cast(force_inputs.person_years_se * force_inputs.person_years_se
            as decimal(38, 9))) as double)) as person_years_se,
        count(*) as forces_reporting,
        min(force_inputs.months_covered) as months_covered,
        max(force_inputs.months_covered) as months_covered_max,
        max(force_inputs.data_origin) as data_origin
    from force_inputs
    inner join area_forces on force_inputs.force_code = area_forces.force_code
    group by
        force_inputs.period, area_forces.geography_level, area_forces.geography_code,
        area_forces.geography_name, force_inputs.offence_group, force_inputs.nationality_group
),

final as (
    select
        grouped.period,
        grouped.geography_level,
        grouped.geography_code,
        grouped.geography_name,
        grouped.offence_group,
        grouped.nationality_group,
        cast(case when grouped.suppressed_cells = 0 then grouped.arrests_lower end as bigint) as arrests,
        cast(grouped.arrests_lower as bigint) as arrests_lower,
        cast(grouped.arrests_upper as bigint) as arrests_upper,
        cast(grouped.suppressed_cells as integer) as suppressed_cells,
        cast(grouped.cells as bigint) as cells,
        cast(grouped.population as bigint) as population,
        grouped.person_years,
        grouped.person_years_se,
        cast(grouped.forces_reporting as integer) as forces_reporting,
        cast(area_totals.forces_in_area as integer) as forces_in_area,
        cast(reporting_population.reporting_population as double)
            / area_totals.area_population as population_coverage,
        cast(grouped.months_covered as integer) as months_covered,
        cast(grouped.months_covered_max as integer) as months_covered_max,
        grouped.data_origin
    from grouped
    inner join area_totals
        on grouped.geography_level = area_totals.geography_level
        and grouped.geography_code = area_totals.geography_code
    inner join reporting_population
        on grouped.period = reporting_population.period
        and grouped.geography_level = reporting_population.geography_level
        and grouped.geography_code = reporting_population.geography_code
)

select * from final
