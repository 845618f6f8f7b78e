-- Numerators and denominators of every force-level rate: financial year × force × offence group ×
-- nationality group, with 'All offences' and nationality 'all' totals. Denominators: ONS mid-year
-- estimates for 'all'; the Annual Population Survey for british / non_british (a consistent
-- nationality split); none for unknown nationality, whose arrests are still counted.
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

final as (
    select
        grouped.period,
        grouped.force_code,
        grouped.offence_group,
        grouped.nationality_group,
        cast(grouped.arrests as bigint) as arrests,
        cast(grouped.arrests_lower as bigint) as arrests_lower,
        cast(grouped.arrests_upper as bigint) as arrests_upper,
        cast(grouped.suppressed_cells as integer) as suppressed_cells,
        cast(population.population as bigint) as population,
        population.reference_period as population_reference_period,
        population.source as population_source,
        cast(months.months_covered as integer) as months_covered,
        grouped.data_origin
    from grouped
    inner join months
        on grouped.period = months.period
        and grouped.force_code = months.force_code
    left join population
        on grouped.force_code = population.force_code
        and population.population_group = case grouped.nationality_group
            when 'all' then 'all'
            when 'british' then 'british'
            when 'non_british' then 'non_british'
        end
)

select * from final
