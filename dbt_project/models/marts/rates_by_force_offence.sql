-- Arrest rates per 100,000 residents by financial year × force × offence group × nationality
-- group, with 'All offences' and nationality 'all' totals. Denominators: mid-year estimates for
-- 'all'; the Annual Population Survey for british / non_british (a consistent nationality split);
-- none for unknown nationality, whose arrests are still counted and shown.
with arrests as (
    select * from {{ ref('int_arrests_by_force_month') }}
),

coverage as (
    select * from {{ ref('int_force_month_coverage') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

population as (
    select * from {{ ref('ref_force_population') }}
    where not is_missing
),

months as (
    select
        period,
        force_code,
        count(distinct month) as months_covered
    from coverage
    group by period, force_code
),

grouped as (
    select
        period,
        force_code,
        case when grouping(offence_group) = 1 then 'All offences' else offence_group end as offence_group,
        case when grouping(nationality_group) = 1 then 'all' else nationality_group end as nationality_group,
        sum(arrests) as arrests,
        sum(arrests_lower) as arrests_lower,
        sum(arrests_upper) as arrests_upper,
        sum(suppressed_cells) as suppressed_cells,
        max(data_origin) as data_origin
    from arrests
    group by grouping sets (
        (period, force_code, offence_group, nationality_group),
        (period, force_code, offence_group),
        (period, force_code, nationality_group),
        (period, force_code)
    )
),

with_population as (
    select
        grouped.*,
        population.population,
        population.reference_period as population_reference_period,
        population.source as population_source
    from grouped
    left join population
        on grouped.force_code = population.force_code
        and population.population_group = case grouped.nationality_group
            when 'all' then 'all'
            when 'british' then 'british'
            when 'non_british' then 'non_british'
        end
),

final as (
    select
        with_population.period,
        with_population.force_code,
        forces.force_name,
        forces.region_name as region,
        forces.region_code,
        with_population.offence_group,
        with_population.nationality_group,
        cast(with_population.arrests as bigint) as arrests,
        cast(with_population.arrests_lower as bigint) as arrests_lower,
        cast(with_population.arrests_upper as bigint) as arrests_upper,
        cast(with_population.suppressed_cells as integer) as suppressed_cells,
        cast(with_population.population as bigint) as population,
        cast(with_population.arrests as double) * 100000 / with_population.population as rate_per_100k,
        cast(with_population.arrests as double) / nullif(sum(
            case when with_population.nationality_group = 'all' then with_population.arrests end
        ) over (
            partition by with_population.period, with_population.force_code, with_population.offence_group
        ), 0) as share_of_arrests,
        cast(months.months_covered as integer) as months_covered,
        with_population.population_reference_period,
        with_population.population_source,
        with_population.data_origin
    from with_population
    inner join forces on with_population.force_code = forces.force_code
    inner join months
        on with_population.period = months.period
        and with_population.force_code = months.force_code
)

select * from final
