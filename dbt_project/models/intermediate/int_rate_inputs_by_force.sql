-- Numerators and denominators of every force-level rate: financial year × force × offence group ×
-- nationality group, with 'All offences' and nationality 'all' totals, and a row for every
-- nationality group of every offence group the force reported, zero arrests included: a group or
-- a month with no arrests keeps its population.
--   Counts are bounds: a suppressed cell adds its range (lower, upper); arrests is the exact count,
--   null when any cell behind it is suppressed.
--   Denominators: ONS mid-year estimates for 'all'; the Annual Population Survey for british /
--   non_british (a consistent nationality split, with its sampling error as a standard error);
--   none for unknown nationality, whose arrests are still counted. person_years scales each
--   population by the months the force's returns declare in the period (months / 12), so a rate
--   never divides some months' arrests by a whole year's people.
-- The offence groups a force reported in a period are those with at least one cell (a zero
-- included) in it; a group it sent no cell for is not reported, not zero.
with arrests as (
    select * from {{ ref('int_arrests_by_force_month') }}
),

coverage as (
    select * from {{ ref('int_force_month_coverage') }}
),

population as (
    select * from {{ ref('ref_force_population') }}
    where not is_missing
),

months as (
    select
        period,
        force_code,
        count(*) as months_covered,
        max(data_origin) as data_origin
    from coverage
    group by period, force_code
),

grouped as (
    select
        period,
        force_code,
        case when grouping(offence_group) = 1 then 'All offences' else offence_group end as offence_group,
        case when grouping(nationality_group) = 1 then 'all' else nationality_group end as nationality_group,
        sum(arrests_lower) as arrests_lower,
        sum(arrests_upper) as arrests_upper,
        sum(suppressed_cells) as suppressed_cells,
        sum(cells) as cells
    from arrests
    group by grouping sets (
        (period, force_code, offence_group, nationality_group),
        (period, force_code, offence_group),
        (period, force_code, nationality_group),
        (period, force_code)
    )
),

reported_offence_groups as (
    select distinct period, force_code, offence_group from grouped
    union
    select period, force_code, 'All offences' from months
),

nationality_groups as (
    select 'all' as nationality_group
    union all select 'british'
    union all select 'non_british'
    union all select 'unknown'
),

spine as (
    select
        reported_offence_groups.period,
        reported_offence_groups.force_code,
        reported_offence_groups.offence_group,
        nationality_groups.nationality_group
    from reported_offence_groups
    cross join nationality_groups
),

final as (
    select
        spine.period,
        spine.force_code,
        spine.offence_group,
        spine.nationality_group,
        cast(case when coalesce(grouped.suppressed_cells, 0) = 0
            then coalesce(grouped.arrests_lower, 0) end as bigint) as arrests,
        cast(coalesce(grouped.arrests_lower, 0) as bigint) as arrests_lower,
        cast(coalesce(grouped.arrests_upper, 0) as bigint) as arrests_upper,
        cast(coalesce(grouped.suppressed_cells, 0) as integer) as suppressed_cells,
        cast(coalesce(grouped.cells, 0) as bigint) as cells,
        cast(population.population as bigint) as population,
        population.population * months.months_covered / 12.0 as person_years,
        -- the APS publishes a 95% interval; its half-width / z is the standard error
        (population.population_ci_upper - population.population_ci_lower) / (2 * {{ z95() }})
            * months.months_covered / 12.0 as person_years_se,
        population.reference_period as population_reference_period,
        population.source as population_source,
        cast(months.months_covered as integer) as months_covered,
        months.data_origin
    from spine
    inner join months
        on spine.period = months.period
        and spine.force_code = months.force_code
    left join grouped
        on spine.period = grouped.period
        and spine.force_code = grouped.force_code
        and spine.offence_group is not distinct from grouped.offence_group
        and spine.nationality_group is not distinct from grouped.nationality_group
    left join population
        on spine.force_code = population.force_code
        and population.population_group = case spine.nationality_group
            when 'all' then 'all'
            when 'british' then 'british'
            when 'non_british' then 'non_british'
        end
)

select * from final
