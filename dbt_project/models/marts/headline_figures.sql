-- National figures of the kind quoted in the press, each with its feasible range under
-- suppression, its 95% interval and the coverage it stands on (forces reporting of 43, share of
-- the population of England and Wales, months), so a reader sees at once how much of the country
-- a figure rests on and how much the withheld cells could move it.
--   shares: non-British arrests / all arrests (unknown nationality included in the denominator);
--           bounds as in bounds.sql, Wilson 95% interval at the least and greatest feasible share;
--   ratios: non-British vs British rate ratio (nationality_rate_ratios).
-- value is the point estimate (estimate_method: exact, or midpoint of the suppressed ranges), null
-- when every cell behind it is suppressed; value_lower / value_upper always bound it.
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

group_counts as (
    select
        period,
        offence_group,
        {%- for group in ['non_british', 'unknown', 'all'] %}
        max(case when nationality_group = '{{ group }}' then arrests_lower end) as {{ group }}_lower,
        max(case when nationality_group = '{{ group }}' then arrests_upper end) as {{ group }}_upper,
        max(case when nationality_group = '{{ group }}' then suppressed_cells end) as {{ group }}_suppressed,
        max(case when nationality_group = '{{ group }}' then cells end) as {{ group }}_cells,
        {%- endfor %}
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

child_counts as (
    select
        periods.period,
        {%- for group in ['non_british', 'unknown'] %}
        coalesce(sum(case when cells.nationality_group = '{{ group }}' then cells.arrests_lower end), 0) as {{ group }}_lower,
        coalesce(sum(case when cells.nationality_group = '{{ group }}' then cells.arrests_upper end), 0) as {{ group }}_upper,
        sum(case when cells.nationality_group = '{{ group }}' and cells.is_suppressed then 1 else 0 end) as {{ group }}_suppressed,
        sum(case when cells.nationality_group = '{{ group }}' then 1 else 0 end) as {{ group }}_cells,
        {%- endfor %}
        coalesce(sum(cells.arrests_lower), 0) as all_lower,
        coalesce(sum(cells.arrests_upper), 0) as all_upper,
        sum(case when cells.is_suppressed then 1 else 0 end) as all_suppressed,
        count(cells.return_id) as all_cells,
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
        period, non_british_lower, non_british_upper, non_british_suppressed, non_british_cells,
        unknown_lower, unknown_upper, all_lower, all_upper, all_suppressed, forces_reporting,
        population_coverage, months_covered_min, data_origin
    from group_counts
    union all
    select
        'non_british_share_child_sexual_offences',
        'Share of arrests for sexual offences against children that are of non-British nationals',
        child_counts.period, child_counts.non_british_lower, child_counts.non_british_upper,
        child_counts.non_british_suppressed, child_counts.non_british_cells,
        child_counts.unknown_lower, child_counts.unknown_upper,
        child_counts.all_lower, child_counts.all_upper, child_counts.all_suppressed,
        child_coverage.forces_reporting, coalesce(child_coverage.population_coverage, 0),
        child_coverage.months_covered_min, child_counts.data_origin
    from child_counts
    inner join child_coverage on child_counts.period = child_coverage.period
),

shares as (
    select
        figure_id,
        description,
        period,
        {{ midpoint('non_british_lower', 'non_british_upper', 'non_british_suppressed', 'non_british_cells') }}
            / nullif((all_lower + all_upper) / 2.0, 0) as value,
        {{ share_lower('non_british_lower', 'non_british_upper', 'all_lower', 'all_upper') }} as value_lower,
        {{ share_upper('non_british_lower', 'non_british_upper', 'all_lower', 'all_upper') }} as value_upper,
        -- unknown nationality all British leaves the least share; all non-British, the greatest
        {{ share_lower('non_british_lower', 'non_british_upper', 'all_lower', 'all_upper') }} as value_lower_incl_unknown,
        {{ share_upper('non_british_lower + unknown_lower', 'non_british_upper + unknown_upper', 'all_lower', 'all_upper') }}
            as value_upper_incl_unknown,
        {{ wilson_lower('non_british_lower', '(non_british_lower + all_upper - non_british_upper)') }} as ci_lower,
        {{ wilson_upper('non_british_upper', '(non_british_upper + all_lower - non_british_lower)') }} as ci_upper,
        case
            when all_suppressed = 0 then 'exact'
            when non_british_suppressed < non_british_cells or non_british_suppressed = 0 then 'midpoint'
        end as estimate_method,
        non_british_lower as numerator_lower,
        non_british_upper as numerator_upper,
        all_lower as denominator_lower,
        all_upper as denominator_upper,
        'share' as unit,
        forces_reporting,
        population_coverage,
        months_covered_min,
        all_suppressed as suppressed_cells,
        ((unknown_lower + unknown_upper) / 2.0) / nullif((all_lower + all_upper) / 2.0, 0)
            as unknown_nationality_share,
        'Arrests are not charges or convictions. Arrests of people whose nationality was not '
            || 'recorded are in the denominator, not the numerator; value_upper_incl_unknown '
            || 'counts them all as non-British.' as caveat,
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
        rate_ratio_lower as value_lower,
        rate_ratio_upper as value_upper,
        rate_ratio_lower_incl_unknown as value_lower_incl_unknown,
        rate_ratio_upper_incl_unknown as value_upper_incl_unknown,
        rate_ratio_ci_lower as ci_lower,
        rate_ratio_ci_upper as ci_upper,
        estimate_method,
        non_british_arrests_lower as numerator_lower,
        non_british_arrests_upper as numerator_upper,
        british_arrests_lower as denominator_lower,
        british_arrests_upper as denominator_upper,
        'ratio' as unit,
        forces_reporting,
        population_coverage,
        months_covered as months_covered_min,
        suppressed_cells,
        unknown_nationality_share,
        'Arrests are not charges or convictions. Rates are per person-year of resident '
            || 'population from the Annual Population Survey 2015/16 (a sample survey: its sampling '
            || 'error is in the interval), which excludes visitors; arrests of people whose '
            || 'nationality was not recorded are in neither rate (see the _incl_unknown bounds).' as caveat,
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
        value_lower,
        value_upper,
        value_lower_incl_unknown,
        value_upper_incl_unknown,
        ci_lower,
        ci_upper,
        case when value is not null then estimate_method end as estimate_method,
        cast(numerator_lower as bigint) as numerator_lower,
        cast(numerator_upper as bigint) as numerator_upper,
        cast(denominator_lower as bigint) as denominator_lower,
        cast(denominator_upper as bigint) as denominator_upper,
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
