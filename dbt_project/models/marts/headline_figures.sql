-- National figures of the kind quoted in the press, each with its interval and the coverage it
-- stands on (forces reporting of 43, share of the population of England and Wales, months), so a
-- reader sees at once how much of the country a figure rests on.
--   shares: non-British arrests / all arrests (unknown nationality included in the denominator),
--           Wilson 95% interval;
--   ratios: non-British vs British rate ratio, log-method 95% interval (nationality_rate_ratios).
with national as (
    select * from {{ ref('int_rate_inputs_by_area') }}
    where geography_level = 'national'
),

ratios as (
    select * from {{ ref('nationality_rate_ratios') }}
    where geography_level = 'national'
),

cells as (
    select * from {{ ref('int_arrest_cells_classified') }}
),

population_all as (
    select force_code, population
    from {{ ref('ref_force_population') }}
    where population_group = 'all' and not is_missing
),

group_shares as (
    select
        period,
        offence_group,
        max(case when nationality_group = 'non_british' then arrests end) as numerator,
        max(case when nationality_group = 'all' then arrests end) as denominator,
        max(case when nationality_group = 'unknown' then arrests end) as unknown_arrests,
        max(case when nationality_group = 'all' then suppressed_cells end) as suppressed_cells,
        max(forces_reporting) as forces_reporting,
        max(population_coverage) as population_coverage,
        min(months_covered) as months_covered_min,
        max(data_origin) as data_origin
    from national
    where offence_group in ('All offences', 'Sexual offences')
    group by period, offence_group
),

-- Child sexual offences need offence-level detail: only returns naming the offence can say
-- whether the victim was a child, so coverage counts only the forces that gave such detail. With
-- none, the figure is published as null with zero coverage, not left out.
periods as (
    select period, max(data_origin) as data_origin from national group by period
),

detailed_forces as (
    select period, force_code, count(distinct month) as months
    from cells
    where offence_code is not null
    group by period, force_code
),

child_sexual as (
    select
        periods.period,
        sum(case when cells.nationality_group = 'non_british' then coalesce(cells.arrests, 0) else 0 end) as numerator,
        sum(coalesce(cells.arrests, 0)) as denominator,
        sum(case when cells.nationality_group = 'unknown' then coalesce(cells.arrests, 0) else 0 end) as unknown_arrests,
        sum(case when cells.is_suppressed then 1 else 0 end) as suppressed_cells,
        coalesce(max(cells.data_origin), max(periods.data_origin)) as data_origin
    from periods
    left join cells
        on periods.period = cells.period
        and cells.is_child_sexual_offence
    group by periods.period
),

child_coverage as (
    select
        periods.period,
        count(detailed_forces.force_code) as forces_reporting,
        cast(sum(population_all.population) as double)
            / (select sum(population) from population_all) as population_coverage,
        min(detailed_forces.months) as months_covered_min
    from periods
    left join detailed_forces on periods.period = detailed_forces.period
    left join population_all on detailed_forces.force_code = population_all.force_code
    group by periods.period
),

share_inputs as (
    select
        case offence_group
            when 'All offences' then 'non_british_share_all_arrests'
            else 'non_british_share_sexual_offences'
        end as figure_id,
        case offence_group
            when 'All offences' then 'Share of all arrests that are of non-British nationals'
            else 'Share of arrests for sexual offences that are of non-British nationals'
        end as description,
        period, numerator, denominator, unknown_arrests, suppressed_cells, forces_reporting,
        population_coverage, months_covered_min, data_origin
    from group_shares
    union all
    select
        'non_british_share_child_sexual_offences',
        'Share of arrests for sexual offences against children that are of non-British nationals',
        child_sexual.period, coalesce(child_sexual.numerator, 0), coalesce(child_sexual.denominator, 0),
        child_sexual.unknown_arrests, coalesce(child_sexual.suppressed_cells, 0),
        child_coverage.forces_reporting, coalesce(child_coverage.population_coverage, 0),
        child_coverage.months_covered_min, child_sexual.data_origin
    from child_sexual
    inner join child_coverage on child_sexual.period = child_coverage.period
),

shares as (
    select
        figure_id,
        description,
        period,
        cast(numerator as double) / nullif(denominator, 0) as value,
        {{ wilson_lower('numerator', 'denominator') }} as ci_lower,
        {{ wilson_upper('numerator', 'denominator') }} as ci_upper,
        numerator,
        denominator,
        'share' as unit,
        forces_reporting,
        population_coverage,
        months_covered_min,
        suppressed_cells,
        cast(unknown_arrests as double) / nullif(denominator, 0) as unknown_nationality_share,
        'Arrests are not charges or convictions. Arrests of people whose nationality was not '
            || 'recorded are in the denominator, not the numerator.' as caveat,
        data_origin
    from share_inputs
),

ratio_figures as (
    select
        case offence_group
            when 'All offences' then 'rate_ratio_non_british_vs_british_all_arrests'
            else 'rate_ratio_non_british_vs_british_sexual_offences'
        end as figure_id,
        case offence_group
            when 'All offences' then 'Arrest rate of non-British nationals relative to British nationals'
            else 'Arrest rate for sexual offences of non-British nationals relative to British nationals'
        end as description,
        period,
        rate_ratio as value,
        rate_ratio_ci_lower as ci_lower,
        rate_ratio_ci_upper as ci_upper,
        non_british_arrests as numerator,
        british_arrests as denominator,
        'ratio' as unit,
        forces_reporting,
        population_coverage,
        months_covered as months_covered_min,
        suppressed_cells,
        unknown_nationality_share,
        'Arrests are not charges or convictions. Rates use resident populations from the Annual '
            || 'Population Survey 2015/16 (a sample survey), which exclude visitors; arrests of '
            || 'people whose nationality was not recorded are in neither rate.' as caveat,
        data_origin
    from ratios
    where offence_group in ('All offences', 'Sexual offences')
),

final as (
    select
        figure_id,
        description,
        period,
        value,
        ci_lower,
        ci_upper,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        unit,
        cast(coalesce(forces_reporting, 0) as integer) as forces_reporting,
        cast((select count(*) from {{ ref('ref_forces') }}) as integer) as forces_total,
        population_coverage,
        cast(months_covered_min as integer) as months_covered_min,
        cast(suppressed_cells as integer) as suppressed_cells,
        unknown_nationality_share,
        coalesce(forces_reporting, 0) = 43 and months_covered_min = 12 as is_complete,
        caveat,
        data_origin
    from (select * from shares union all select * from ratio_figures) as figures
)

select * from final
