-- Arrest rates per 100,000 by financial year × region × offence group × nationality group, over
-- the forces that reported. The denominator is the population of the reporting forces only, so a
-- rate never mixes a partial numerator with a whole-region denominator; population_coverage says
-- how much of the region's population those forces hold.
with force_rates as (
    select * from {{ ref('rates_by_force_offence') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

population_all as (
    select force_code, population
    from {{ ref('ref_force_population') }}
    where population_group = 'all' and not is_missing
),

region_totals as (
    select
        forces.region_code,
        count(*) as forces_in_region,
        sum(population_all.population) as region_population
    from forces
    left join population_all on forces.force_code = population_all.force_code
    group by forces.region_code
),

reporting as (
    select distinct
        force_rates.period,
        force_rates.region_code,
        force_rates.force_code,
        population_all.population
    from force_rates
    left join population_all on force_rates.force_code = population_all.force_code
),

reporting_population as (
    select
        period,
        region_code,
        sum(population) as reporting_population
    from reporting
    group by period, region_code
),

grouped as (
    select
        period,
        region_code,
        region,
        offence_group,
        nationality_group,
        sum(arrests) as arrests,
        sum(arrests_lower) as arrests_lower,
        sum(arrests_upper) as arrests_upper,
        sum(suppressed_cells) as suppressed_cells,
        -- a denominator missing for any reporting force leaves the region's rate unknown
        case when count(population) = count(*) then sum(population) end as population,
        count(*) as forces_reporting,
        min(months_covered) as months_covered,
        max(data_origin) as data_origin
    from force_rates
    group by period, region_code, region, offence_group, nationality_group
),

final as (
    select
        grouped.period,
        grouped.region_code,
        grouped.region,
        grouped.offence_group,
        grouped.nationality_group,
        cast(grouped.arrests as bigint) as arrests,
        cast(grouped.arrests_lower as bigint) as arrests_lower,
        cast(grouped.arrests_upper as bigint) as arrests_upper,
        cast(grouped.suppressed_cells as integer) as suppressed_cells,
        cast(grouped.population as bigint) as population,
        cast(grouped.arrests as double) * 100000 / grouped.population as rate_per_100k,
        cast(grouped.arrests as double) / nullif(sum(
            case when grouped.nationality_group = 'all' then grouped.arrests end
        ) over (partition by grouped.period, grouped.region_code, grouped.offence_group), 0)
            as share_of_arrests,
        cast(grouped.forces_reporting as integer) as forces_reporting,
        cast(region_totals.forces_in_region as integer) as forces_in_region,
        cast(reporting_population.reporting_population as double)
            / region_totals.region_population as population_coverage,
        cast(grouped.months_covered as integer) as months_covered,
        grouped.data_origin
    from grouped
    inner join region_totals on grouped.region_code = region_totals.region_code
    inner join reporting_population
        on grouped.period = reporting_population.period
        and grouped.region_code = reporting_population.region_code
)

select * from final
