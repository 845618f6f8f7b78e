-- The floor for benchmarks/run.py: the same transforms as the dbt models, hand-written as ONE
-- DuckDB script with no orchestration (no Dagster, no dbt, no Great Expectations, no Python),
-- run by the DuckDB CLI into a fresh database file:
--
--   duckdb /tmp/baseline.duckdb   with, before this file:
--     set variable landing = '/tmp/frw-bench/1e6/landing';      -- folder of return folders
--     set variable seeds   = '/work/main/dbt_project/seeds';     -- the dbt seed CSVs, read directly
--
-- What it assumes (true of benchmarks/generate_scale_returns.py output, not of every return): every
-- file is a CSV in long layout with columns Month (YYYY-MM), Offence Group, Nationality, Arrests;
-- the suppression marker is `*` standing for 1..4; no return supersedes another. Force and
-- data_origin are read from each manifest.yml with regular expressions.
--
-- Marts built: marts.rates_by_force_offence (period, force_code, force_name, region, region_code,
-- offence_group, nationality_group, arrests, arrests_lower, arrests_upper, suppressed_cells,
-- depends_on_suppressed, population, rate_per_100k, share_of_arrests, unknown_nationality_share,
-- months_covered, is_complete, population_reference_period, population_source, data_origin) and
-- marts.rates_by_region_offence (period, region_code, region, offence_group, nationality_group,
-- arrests, arrests_lower, arrests_upper, suppressed_cells, depends_on_suppressed, population,
-- rate_per_100k, share_of_arrests, unknown_nationality_share, forces_reporting, forces_in_region,
-- population_coverage, months_covered, is_complete, data_origin). NOT built: rate_ci_lower /
-- rate_ci_upper (exact Poisson limits need a chi-square quantile DuckDB SQL lacks; dbt computes
-- them in the Python model int_poisson_limits), nor the other marts (nationality_rate_ratios,
-- return_coverage, headline_figures) nor the raw / staging / intermediate tables with lineage.

create schema if not exists marts;

-- Lookups and reference seeds, straight from the CSVs.
create temp table offence_lookup as
select offence_raw, offence_group
from read_csv(getvariable('seeds') || '/lookups/offence_lookup.csv', all_varchar = true);

create temp table nationality_lookup as
select nationality_raw, nationality_group
from read_csv(getvariable('seeds') || '/lookups/nationality_lookup.csv', all_varchar = true);

create temp table forces as
select force_code, force_name, pfa_name, region_code, region_name
from read_csv(getvariable('seeds') || '/reference/ref_forces.csv', all_varchar = true);

create temp table population as
select
    force_code,
    population_group,
    cast(population as bigint) as population,
    reference_period,
    source
from read_csv(getvariable('seeds') || '/reference/ref_force_population.csv', all_varchar = true)
where lower(is_missing) <> 'true';

-- One row per return, from its manifest: folder, force (ONS code or name) and data origin.
create temp table returns as
with manifests as (
    select
        regexp_extract(filename, '([^/]+)/manifest\.yml$', 1) as landing_folder,
        trim(regexp_extract(content, '(?m)^force:[ \t]*([^\n#]+)', 1), ' ''"') as force_raw,
        trim(regexp_extract(content, '(?m)^data_origin:[ \t]*([^\n#]+)', 1), ' ''"') as data_origin
    from read_text(getvariable('landing') || '/*/manifest.yml')
)
select manifests.landing_folder, forces.force_code, manifests.data_origin
from manifests
left join forces
    on upper(manifests.force_raw) = forces.force_code
    or lower(manifests.force_raw) = lower(forces.force_name)
    or lower(manifests.force_raw) = lower(forces.pfa_name);

-- Count cells, classified, aggregated to force × month × offence group × nationality group.
-- Suppressed cells are never zero: arrests counts numbers only, the bounds add 1..4 per marker.
create temp table arrests_by_force_month as
with cells as (
    select
        regexp_extract(filename, '([^/]+)/[^/]+$', 1) as landing_folder,
        cast(trim("Month") || '-01' as date) as month,
        lower(trim("Offence Group")) as offence_key,
        lower(trim("Nationality")) as nationality_key,
        trim("Arrests") as count_raw
    from read_csv(
        getvariable('landing') || '/*/*.csv', all_varchar = true, filename = true, header = true
    )
    where coalesce(trim("Arrests"), '') <> ''
),

typed as (
    select
        returns.force_code,
        returns.data_origin,
        cells.month,
        offence_lookup.offence_group,
        nationality_lookup.nationality_group,
        cells.count_raw = '*' as is_suppressed,
        case when cells.count_raw = '*' then null else cast(cells.count_raw as integer) end
            as arrests,
        case when cells.count_raw = '*' then 1 else cast(cells.count_raw as integer) end
            as arrests_lower,
        case when cells.count_raw = '*' then 4 else cast(cells.count_raw as integer) end
            as arrests_upper
    from cells
    inner join returns on cells.landing_folder = returns.landing_folder
    left join offence_lookup on cells.offence_key = offence_lookup.offence_raw
    left join nationality_lookup on cells.nationality_key = nationality_lookup.nationality_raw
)

select
    force_code,
    month,
    case
        when extract(month from month) >= 4
            then cast(extract(year from month) as varchar) || '-'
                || right(cast(extract(year from month) + 1 as varchar), 2)
        else cast(extract(year from month) - 1 as varchar) || '-'
            || right(cast(extract(year from month) as varchar), 2)
    end as period,
    offence_group,
    nationality_group,
    sum(coalesce(arrests, 0)) as arrests,
    sum(arrests_lower) as arrests_lower,
    sum(arrests_upper) as arrests_upper,
    sum(case when is_suppressed then 1 else 0 end) as suppressed_cells,
    max(data_origin) as data_origin
from typed
group by force_code, month, offence_group, nationality_group;

create table marts.rates_by_force_offence as
with months as (
    select period, force_code, count(distinct month) as months_covered
    from arrests_by_force_month
    group by period, force_code
),

grouped as (
    select
        period,
        force_code,
        case when grouping(offence_group) = 1 then 'All offences' else offence_group end
            as offence_group,
        case when grouping(nationality_group) = 1 then 'all' else nationality_group end
            as nationality_group,
        sum(arrests) as arrests,
        sum(arrests_lower) as arrests_lower,
        sum(arrests_upper) as arrests_upper,
        sum(suppressed_cells) as suppressed_cells,
        max(data_origin) as data_origin
    from arrests_by_force_month
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
)

select
    w.period,
    w.force_code,
    forces.force_name,
    forces.region_name as region,
    forces.region_code,
    w.offence_group,
    w.nationality_group,
    cast(w.arrests as bigint) as arrests,
    cast(w.arrests_lower as bigint) as arrests_lower,
    cast(w.arrests_upper as bigint) as arrests_upper,
    cast(w.suppressed_cells as integer) as suppressed_cells,
    w.suppressed_cells > 0 as depends_on_suppressed,
    cast(w.population as bigint) as population,
    cast(w.arrests as double) * 100000 / w.population as rate_per_100k,
    cast(w.arrests as double) / nullif(sum(
        case when w.nationality_group = 'all' then w.arrests end
    ) over (partition by w.period, w.force_code, w.offence_group), 0) as share_of_arrests,
    cast(sum(case when w.nationality_group = 'unknown' then w.arrests else 0 end)
        over (partition by w.period, w.force_code, w.offence_group) as double)
        / nullif(sum(case when w.nationality_group = 'all' then w.arrests end)
        over (partition by w.period, w.force_code, w.offence_group), 0)
        as unknown_nationality_share,
    cast(months.months_covered as integer) as months_covered,
    months.months_covered = 12 as is_complete,
    w.population_reference_period,
    w.population_source,
    w.data_origin
from with_population as w
inner join forces on w.force_code = forces.force_code
inner join months on w.period = months.period and w.force_code = months.force_code;

create table marts.rates_by_region_offence as
with population_all as (
    select force_code, population from population where population_group = 'all'
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

reporting_population as (
    select period, region_code, sum(population) as reporting_population
    from (
        select distinct f.period, f.region_code, f.force_code, population_all.population
        from marts.rates_by_force_offence as f
        left join population_all on f.force_code = population_all.force_code
    )
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
        case when count(population) = count(*) then sum(population) end as population,
        count(*) as forces_reporting,
        min(months_covered) as months_covered,
        max(data_origin) as data_origin
    from marts.rates_by_force_offence
    group by period, region_code, region, offence_group, nationality_group
)

select
    g.period,
    g.region_code,
    g.region,
    g.offence_group,
    g.nationality_group,
    cast(g.arrests as bigint) as arrests,
    cast(g.arrests_lower as bigint) as arrests_lower,
    cast(g.arrests_upper as bigint) as arrests_upper,
    cast(g.suppressed_cells as integer) as suppressed_cells,
    g.suppressed_cells > 0 as depends_on_suppressed,
    cast(g.population as bigint) as population,
    cast(g.arrests as double) * 100000 / g.population as rate_per_100k,
    cast(g.arrests as double) / nullif(sum(
        case when g.nationality_group = 'all' then g.arrests end
    ) over (partition by g.period, g.region_code, g.offence_group), 0) as share_of_arrests,
    cast(sum(case when g.nationality_group = 'unknown' then g.arrests else 0 end)
        over (partition by g.period, g.region_code, g.offence_group) as double)
        / nullif(sum(case when g.nationality_group = 'all' then g.arrests end)
        over (partition by g.period, g.region_code, g.offence_group), 0)
        as unknown_nationality_share,
    cast(g.forces_reporting as integer) as forces_reporting,
    cast(region_totals.forces_in_region as integer) as forces_in_region,
    cast(reporting_population.reporting_population as double)
        / region_totals.region_population as population_coverage,
    cast(g.months_covered as integer) as months_covered,
    g.forces_reporting = region_totals.forces_in_region and g.months_covered = 12 as is_complete,
    g.data_origin
from grouped as g
inner join region_totals on g.region_code = region_totals.region_code
inner join reporting_population
    on g.period = reporting_population.period and g.region_code = reporting_population.region_code;

checkpoint;
