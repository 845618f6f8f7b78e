-- Non-British vs British arrest rate ratio by financial year, area (each region, and England and
-- Wales) and offence group, with a 95% interval by the log method:
--   ratio = (a / Pa) / (b / Pb),  se(ln ratio) = sqrt(1/a + 1/b),  interval = exp(ln ratio ± z·se).
-- Populations are treated as fixed (the APS sampling error is not propagated; see population CIs).
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
        max(case when nationality_group = 'non_british' then arrests end) as non_british_arrests,
        max(case when nationality_group = 'british' then arrests end) as british_arrests,
        max(case when nationality_group = 'non_british' then population end) as non_british_population,
        max(case when nationality_group = 'british' then population end) as british_population,
        max(case when nationality_group = 'unknown' then arrests end) as unknown_arrests,
        max(case when nationality_group = 'all' then arrests end) as all_arrests,
        max(case when nationality_group = 'all' then suppressed_cells end) as suppressed_cells,
        max(forces_reporting) as forces_reporting,
        max(forces_in_area) as forces_in_area,
        max(population_coverage) as population_coverage,
        min(months_covered) as months_covered,
        max(data_origin) as data_origin
    from inputs
    group by period, geography_level, geography_code, offence_group
),

rates as (
    select
        by_group.*,
        cast(non_british_arrests as double) * 100000 / non_british_population as non_british_rate_per_100k,
        cast(british_arrests as double) * 100000 / british_population as british_rate_per_100k
    from by_group
),

final as (
    select
        period,
        geography_level,
        geography_code,
        geography_name,
        offence_group,
        cast(coalesce(non_british_arrests, 0) as bigint) as non_british_arrests,
        cast(coalesce(british_arrests, 0) as bigint) as british_arrests,
        cast(non_british_population as bigint) as non_british_population,
        cast(british_population as bigint) as british_population,
        non_british_rate_per_100k,
        british_rate_per_100k,
        non_british_rate_per_100k / nullif(british_rate_per_100k, 0) as rate_ratio,
        case when non_british_arrests > 0 and british_arrests > 0 then
            exp(ln(non_british_rate_per_100k / british_rate_per_100k)
                - {{ z95() }} * sqrt(1.0 / non_british_arrests + 1.0 / british_arrests))
        end as rate_ratio_ci_lower,
        case when non_british_arrests > 0 and british_arrests > 0 then
            exp(ln(non_british_rate_per_100k / british_rate_per_100k)
                + {{ z95() }} * sqrt(1.0 / non_british_arrests + 1.0 / british_arrests))
        end as rate_ratio_ci_upper,
        cast(forces_reporting as integer) as forces_reporting,
        population_coverage,
        cast(suppressed_cells as integer) as suppressed_cells,
        cast(coalesce(unknown_arrests, 0) as double) / nullif(all_arrests, 0) as unknown_nationality_share,
        cast(months_covered as integer) as months_covered,
        forces_reporting = forces_in_area and months_covered = 12 as is_complete,
        data_origin
    from rates
)

select * from final
