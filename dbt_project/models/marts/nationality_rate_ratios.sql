-- Non-British vs British arrest rate ratio by financial year, area (each region, and England and
-- Wales) and offence group, rates per person-year of the reporting forces.
--   ratio = (a / Pa) / (b / Pb)    a, b: non-British and British arrests; Pa, Pb: person-years
--   bounds: least with a at its lower bound and b at its upper, greatest the other way round; the
--   _incl_unknown bounds also let every arrest of unknown nationality be British (least) or
--   non-British (greatest).
--   95% interval, log method with the Annual Population Survey's sampling error (delta method):
--     se(ln ratio)^2 = 1/a + 1/b + (se(Pa)/Pa)^2 + (se(Pb)/Pb)^2
--   taken at the smallest feasible counts (the widest se) around the least and greatest feasible
--   ratio, so the interval covers every allocation of the suppressed cells.
with inputs as (
    select * from {{ ref('int_rate_inputs_by_area') }}
),

by_group as (
    select
        period,
        geography_level,
        geography_code,
        offence_group,
        max(geography_name) as geography_name,
        {%- for group in ['non_british', 'british', 'unknown', 'all'] %}
        max(case when nationality_group = '{{ group }}' then arrests_lower end) as {{ group }}_lower,
        max(case when nationality_group = '{{ group }}' then arrests_upper end) as {{ group }}_upper,
        max(case when nationality_group = '{{ group }}' then suppressed_cells end) as {{ group }}_suppressed,
        max(case when nationality_group = '{{ group }}' then cells end) as {{ group }}_cells,
        {%- endfor %}
        max(case when nationality_group = 'non_british' then population end) as non_british_population,
        max(case when nationality_group = 'british' then population end) as british_population,
        max(case when nationality_group = 'non_british' then person_years end) as non_british_person_years,
        max(case when nationality_group = 'british' then person_years end) as british_person_years,
        max(case when nationality_group = 'non_british' then person_years_se end) as non_british_person_years_se,
        max(case when nationality_group = 'british' then person_years_se end) as british_person_years_se,
        max(forces_reporting) as forces_reporting,
        max(forces_in_area) as forces_in_area,
        max(population_coverage) as population_coverage,
        min(months_covered) as months_covered,
        max(months_covered_max) as months_covered_max,
        max(data_origin) as data_origin
    from inputs
    group by period, geography_level, geography_code, offence_group
),

rates as (
    select
        by_group.*,
        {{ midpoint('non_british_lower', 'non_british_upper', 'non_british_suppressed', 'non_british_cells') }}
            * 100000 / non_british_person_years as non_british_rate_per_100k,
        {{ midpoint('british_lower', 'british_upper', 'british_suppressed', 'british_cells') }}
            * 100000 / british_person_years as british_rate_per_100k,
        -- relative variance of the two denominators (0 where a survey gives no interval)
        power(coalesce(non_british_person_years_se, 0) / non_british_person_years, 2)
            + power(coalesce(british_person_years_se, 0) / british_person_years, 2) as population_rel_var,
        (cast(non_british_lower as double) / non_british_person_years)
            / nullif(cast(british_upper as double) / british_person_years, 0) as ratio_least,
        (cast(non_british_upper as double) / non_british_person_years)
            / nullif(cast(british_lower as double) / british_person_years, 0) as ratio_greatest
    from by_group
),

final as (
    select
        period,
        geography_level,
        geography_code,
        geography_name,
        offence_group,
        {%- for group in ['non_british', 'british', 'unknown'] %}
        cast(case when {{ group }}_suppressed = 0 then {{ group }}_lower end as bigint) as {{ group }}_arrests,
        cast({{ group }}_lower as bigint) as {{ group }}_arrests_lower,
        cast({{ group }}_upper as bigint) as {{ group }}_arrests_upper,
        {%- endfor %}
        cast(non_british_population as bigint) as non_british_population,
        cast(british_population as bigint) as british_population,
        non_british_person_years,
        british_person_years,
        non_british_rate_per_100k,
        british_rate_per_100k,
        case
            when non_british_rate_per_100k is null or coalesce(british_rate_per_100k, 0) = 0 then null
            when non_british_suppressed = 0 and british_suppressed = 0 then 'exact'
            else 'midpoint'
        end as estimate_method,
        -- the same expression as the bounds, so that an exact ratio equals them to the last bit
        ({{ midpoint('non_british_lower', 'non_british_upper', 'non_british_suppressed', 'non_british_cells') }}
            / non_british_person_years)
            / nullif({{ midpoint('british_lower', 'british_upper', 'british_suppressed', 'british_cells') }}
            / british_person_years, 0) as rate_ratio,
        ratio_least as rate_ratio_lower,
        ratio_greatest as rate_ratio_upper,
        (cast(non_british_lower as double) / non_british_person_years)
            / nullif(cast(british_upper + unknown_upper as double) / british_person_years, 0)
            as rate_ratio_lower_incl_unknown,
        (cast(non_british_upper + unknown_upper as double) / non_british_person_years)
            / nullif(cast(british_lower as double) / british_person_years, 0)
            as rate_ratio_upper_incl_unknown,
        case
            when non_british_lower = 0 and british_upper > 0 then 0.0
            when non_british_lower > 0 and british_lower > 0 then exp(ln(ratio_least) - {{ z95() }}
                * sqrt(1.0 / non_british_lower + 1.0 / british_lower + population_rel_var))
        end as rate_ratio_ci_lower,
        case when non_british_lower > 0 and british_lower > 0 then exp(ln(ratio_greatest) + {{ z95() }}
            * sqrt(1.0 / non_british_lower + 1.0 / british_lower + population_rel_var))
        end as rate_ratio_ci_upper,
        sqrt(population_rel_var) as population_relative_se,
        cast(forces_reporting as integer) as forces_reporting,
        population_coverage,
        cast(all_suppressed as integer) as suppressed_cells,
        {{ midpoint('unknown_lower', 'unknown_upper', 'unknown_suppressed', 'unknown_cells') }}
            / nullif((all_lower + all_upper) / 2.0, 0) as unknown_nationality_share,
        cast(months_covered as integer) as months_covered,
        cast(months_covered_max as integer) as months_covered_max,
        forces_reporting = forces_in_area and months_covered = 12 as is_complete,
        data_origin
    from rates
)

select * from final
