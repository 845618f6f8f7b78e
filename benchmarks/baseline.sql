-- The floor for benchmarks/run.py, and a second check of the published numbers: the transforms of
-- the dbt models re-implemented by hand, plainly, as ONE DuckDB script with no orchestration (no
-- Dagster, no dbt, no Great Expectations, no Python), run by the DuckDB CLI into a fresh file:
--
--   duckdb /tmp/baseline.duckdb   with, before this file:
--     set variable landing = '/tmp/frw-bench/1e6/landing';      -- folder of return folders
--     set variable seeds   = '/work/main/dbt_project/seeds';     -- the dbt seed CSVs, read directly
--
-- What it assumes (true of benchmarks/generate_scale_returns.py output, not of every return): every
-- file is a CSV in long layout with columns Month (YYYY-MM), Offence Group, Nationality, Arrests;
-- the suppression marker is `*`; no return supersedes another, no two returns declare one
-- force-month. Read from each manifest.yml with regular expressions: force, data_origin, the
-- declared period (start and end month) and the suppression range (lower, upper; 1..4 if absent).
--
-- Semantics (Issue 16): a suppressed cell is a count in lower..upper, never 0. Every count has
-- bounds (arrests_lower / arrests_upper); `arrests` is exact, NULL when any cell behind it is
-- suppressed. Months covered are the months each return DECLARES (period start..end), with or
-- without cells. Every force × period it declares × offence group it sent a cell for (plus 'All
-- offences') × nationality group (all, british, non_british, unknown) has a row, zero included.
-- Rates are per 100,000 person-years (population × months covered / 12; summed over the reporting
-- forces of a region). A point estimate puts each suppressed cell at the middle of its range:
-- estimate_method 'exact' (no suppressed cell), 'midpoint' (some), NULL (all: no point estimate,
-- bounds only). Shares and their bounds are within the row's 'all' nationality group.
--
-- Marts built: marts.rates_by_force_offence (period, force_code, force_name, region, region_code,
-- offence_group, nationality_group, arrests, arrests_lower, arrests_upper, cells,
-- suppressed_cells, depends_on_suppressed, population, person_years, denominator_method,
-- rate_per_100k, rate_per_100k_lower, rate_per_100k_upper, estimate_method, share_of_arrests,
-- share_of_arrests_lower, share_of_arrests_upper, unknown_nationality_share,
-- unknown_nationality_share_lower, unknown_nationality_share_upper, months_covered, is_complete,
-- population_reference_period, population_source, data_origin) and marts.rates_by_region_offence
-- (the same measures by period, region_code, region, plus forces_reporting, forces_in_region,
-- population_coverage, months_covered (least over the forces), months_covered_max; no
-- population_reference_period / population_source). NOT built: rate_ci_lower / rate_ci_upper
-- (exact Poisson limits need a chi-square quantile DuckDB SQL lacks; dbt computes them in the
-- Python model int_poisson_limits), nor the other marts (nationality_rate_ratios, return_coverage,
-- headline_figures, force_month_coverage) nor the raw / staging / intermediate tables with lineage.

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

-- One row per return, from its manifest: folder, force (ONS code or name), data origin, the
-- declared period (the `period:` block, block or flow style) and the suppression range.
create temp table returns as
with manifests as (
    select
        regexp_extract(filename, '([^/]+)/manifest\.yml$', 1) as landing_folder,
        content,
        regexp_extract(content, '(?m)^period:[^\n]*(\n[ \t]+[^\n]*)*', 0) as period_block
    from read_text(getvariable('landing') || '/*/manifest.yml')
),

fields as (
    select
        landing_folder,
        trim(regexp_extract(content, '(?m)^force:[ \t]*([^\n#]+)', 1), ' ''"') as force_raw,
        trim(regexp_extract(content, '(?m)^data_origin:[ \t]*([^\n#]+)', 1), ' ''"') as data_origin,
        regexp_extract(period_block, 'start:[ \t]*[''"]?(\d{4}-\d{2})', 1) as start_month,
        regexp_extract(period_block, 'end:[ \t]*[''"]?(\d{4}-\d{2})', 1) as end_month,
        nullif(regexp_extract(content, '(?m)^[ \t]+lower:[ \t]*(\d+)', 1), '') as lower_raw,
        nullif(regexp_extract(content, '(?m)^[ \t]+upper:[ \t]*(\d+)', 1), '') as upper_raw
    from manifests
)

select
    fields.landing_folder,
    forces.force_code,
    fields.data_origin,
    cast(fields.start_month || '-01' as date) as period_start,
    cast(fields.end_month || '-01' as date) as period_end,
    coalesce(cast(fields.lower_raw as integer), 1) as suppressed_lower,
    coalesce(cast(fields.upper_raw as integer), 4) as suppressed_upper
from fields
left join forces
    on upper(fields.force_raw) = forces.force_code
    or lower(fields.force_raw) = lower(forces.force_name)
    or lower(fields.force_raw) = lower(forces.pfa_name);

-- Financial year (April to March) of a month, as '2023-24'.
create temp macro fy(m) as
    cast(year(m) - (month(m) < 4)::integer as varchar) || '-'
    || right(cast(year(m) - (month(m) < 4)::integer + 1 as varchar), 2);

-- Every month each return declares, and per force × financial year the months covered.
create temp table declared_months as
select distinct
    returns.force_code,
    cast(declared.month as date) as month,
    fy(cast(declared.month as date)) as period,
    returns.data_origin
from returns,
    unnest(generate_series(returns.period_start, returns.period_end, interval 1 month))
        as declared(month);

create temp table force_periods as
select
    force_code,
    period,
    count(distinct month) as months_covered,
    max(data_origin) as data_origin  -- 'synthetic' sorts after 'real'
from declared_months
group by force_code, period;

-- The count cells, classified, summed to force × period × offence group × nationality group.
create temp table leaf_counts as
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
)

select
    returns.force_code,
    fy(cells.month) as period,
    offence_lookup.offence_group,
    nationality_lookup.nationality_group,
    count(*) as cells,
    count(*) filter (where cells.count_raw = '*') as suppressed_cells,
    sum(
        case when cells.count_raw = '*' then returns.suppressed_lower
            else cast(cells.count_raw as integer) end
    ) as arrests_lower,
    sum(
        case when cells.count_raw = '*' then returns.suppressed_upper
            else cast(cells.count_raw as integer) end
    ) as arrests_upper
from cells
inner join returns on cells.landing_folder = returns.landing_folder
left join offence_lookup on cells.offence_key = offence_lookup.offence_raw
left join nationality_lookup on cells.nationality_key = nationality_lookup.nationality_raw
group by all;

-- The rows every force-level mart has: each declared force-period × each offence group the
-- force sent a cell for in it, plus 'All offences' × each nationality group. Each row sums the
-- leaf counts it contains ('All offences' holds every offence group, 'all' every nationality).
create temp table force_rows as
with offence_groups as (
    select distinct force_code, period, offence_group from leaf_counts
    union
    select force_code, period, 'All offences' from force_periods
),

spine as (
    select offence_groups.*, nationality_groups.nationality_group
    from offence_groups
    inner join force_periods using (force_code, period)
    cross join (values ('all'), ('british'), ('non_british'), ('unknown'))
        as nationality_groups(nationality_group)
)

select
    spine.force_code,
    spine.period,
    spine.offence_group,
    spine.nationality_group,
    coalesce(sum(leaf.cells), 0) as cells,
    coalesce(sum(leaf.suppressed_cells), 0) as suppressed_cells,
    coalesce(sum(leaf.arrests_lower), 0) as arrests_lower,
    coalesce(sum(leaf.arrests_upper), 0) as arrests_upper
from spine
left join leaf_counts as leaf
    on spine.force_code = leaf.force_code
    and spine.period = leaf.period
    and (spine.offence_group = 'All offences'
        or spine.offence_group is not distinct from leaf.offence_group)
    and (spine.nationality_group = 'all' or spine.nationality_group = leaf.nationality_group)
group by all;

-- Counts and denominators of both marts, one row per area (a force or a region).
create temp table area_rows as
select
    'force' as level,
    f.force_code as area_code,
    f.period,
    f.offence_group,
    f.nationality_group,
    f.cells,
    f.suppressed_cells,
    f.arrests_lower,
    f.arrests_upper,
    p.population,
    p.population * fp.months_covered / 12.0 as person_years,
    p.reference_period as population_reference_period,
    p.source as population_source,
    fp.months_covered,
    fp.months_covered as months_covered_max,
    1 as forces_reporting,
    fp.data_origin
from force_rows as f
inner join force_periods as fp using (force_code, period)
left join population as p
    on f.force_code = p.force_code
    and p.population_group = f.nationality_group  -- none for 'unknown'
union all
select
    'region',
    forces.region_code,
    f.period,
    f.offence_group,
    f.nationality_group,
    sum(f.cells),
    sum(f.suppressed_cells),
    sum(f.arrests_lower),
    sum(f.arrests_upper),
    -- a denominator missing for any reporting force leaves the region's rate unknown
    case when bool_and(p.population is not null) then sum(p.population) end,
    case when bool_and(p.population is not null)
        then sum(p.population * fp.months_covered / 12.0) end,
    null,
    null,
    min(fp.months_covered),
    max(fp.months_covered),
    count(*),
    max(fp.data_origin)
from force_rows as f
inner join force_periods as fp using (force_code, period)
inner join forces on f.force_code = forces.force_code
left join population as p
    on f.force_code = p.force_code
    and p.population_group = f.nationality_group
group by forces.region_code, f.period, f.offence_group, f.nationality_group;

-- Measures: a point estimate only where some cell behind it is a number (or none is
-- suppressed); rate bounds at the count bounds; a share g / T within the 'all' row T is least
-- with g low and the rest of T high, greatest the other way round.
create temp table measured as
with estimated as (
    select
        *,
        case
            when suppressed_cells = 0 then 'exact'
            when suppressed_cells < cells then 'midpoint'
        end as estimate_method,
        case when suppressed_cells = 0 or suppressed_cells < cells
            then (arrests_lower + arrests_upper) / 2 end as arrests_estimate
    from area_rows
)

select
    r.*,
    cast(r.arrests_estimate as double) * 100000 / r.person_years as rate_per_100k,
    cast(r.arrests_lower as double) * 100000 / r.person_years as rate_per_100k_lower,
    cast(r.arrests_upper as double) * 100000 / r.person_years as rate_per_100k_upper,
    r.arrests_estimate / nullif((t.arrests_lower + t.arrests_upper) / 2, 0) as share_of_arrests,
    cast(r.arrests_lower as double)
        / nullif(t.arrests_upper - (r.arrests_upper - r.arrests_lower), 0)
        as share_of_arrests_lower,
    cast(r.arrests_upper as double)
        / nullif(t.arrests_lower + (r.arrests_upper - r.arrests_lower), 0)
        as share_of_arrests_upper,
    u.arrests_estimate / nullif((t.arrests_lower + t.arrests_upper) / 2, 0)
        as unknown_nationality_share,
    cast(u.arrests_lower as double)
        / nullif(t.arrests_upper - (u.arrests_upper - u.arrests_lower), 0)
        as unknown_nationality_share_lower,
    cast(u.arrests_upper as double)
        / nullif(t.arrests_lower + (u.arrests_upper - u.arrests_lower), 0)
        as unknown_nationality_share_upper
from estimated as r
inner join estimated as t
    on r.level = t.level and r.area_code = t.area_code and r.period = t.period
    and r.offence_group is not distinct from t.offence_group
    and t.nationality_group = 'all'
inner join estimated as u
    on r.level = u.level and r.area_code = u.area_code and r.period = u.period
    and r.offence_group is not distinct from u.offence_group
    and u.nationality_group = 'unknown';

create table marts.rates_by_force_offence as
select
    m.period,
    m.area_code as force_code,
    forces.force_name,
    forces.region_name as region,
    forces.region_code,
    m.offence_group,
    m.nationality_group,
    cast(case when m.suppressed_cells = 0 then m.arrests_lower end as bigint) as arrests,
    cast(m.arrests_lower as bigint) as arrests_lower,
    cast(m.arrests_upper as bigint) as arrests_upper,
    cast(m.cells as bigint) as cells,
    cast(m.suppressed_cells as integer) as suppressed_cells,
    m.suppressed_cells > 0 as depends_on_suppressed,
    cast(m.population as bigint) as population,
    cast(m.person_years as double) as person_years,
    'person_years' as denominator_method,
    m.rate_per_100k,
    m.rate_per_100k_lower,
    m.rate_per_100k_upper,
    m.estimate_method,
    cast(m.share_of_arrests as double) as share_of_arrests,
    m.share_of_arrests_lower,
    m.share_of_arrests_upper,
    cast(m.unknown_nationality_share as double) as unknown_nationality_share,
    m.unknown_nationality_share_lower,
    m.unknown_nationality_share_upper,
    cast(m.months_covered as integer) as months_covered,
    m.months_covered = 12 as is_complete,
    m.population_reference_period,
    m.population_source,
    m.data_origin
from measured as m
inner join forces on m.area_code = forces.force_code
where m.level = 'force';

create table marts.rates_by_region_offence as
with region_totals as (
    select
        forces.region_code,
        any_value(forces.region_name) as region,
        count(*) as forces_in_region,
        sum(population.population) as region_population
    from forces
    left join population
        on forces.force_code = population.force_code and population.population_group = 'all'
    group by forces.region_code
),

reporting_population as (
    select forces.region_code, force_periods.period, sum(population.population) as population
    from force_periods
    inner join forces on force_periods.force_code = forces.force_code
    left join population
        on force_periods.force_code = population.force_code
        and population.population_group = 'all'
    group by forces.region_code, force_periods.period
)

select
    m.period,
    m.area_code as region_code,
    region_totals.region,
    m.offence_group,
    m.nationality_group,
    cast(case when m.suppressed_cells = 0 then m.arrests_lower end as bigint) as arrests,
    cast(m.arrests_lower as bigint) as arrests_lower,
    cast(m.arrests_upper as bigint) as arrests_upper,
    cast(m.cells as bigint) as cells,
    cast(m.suppressed_cells as integer) as suppressed_cells,
    m.suppressed_cells > 0 as depends_on_suppressed,
    cast(m.population as bigint) as population,
    cast(m.person_years as double) as person_years,
    'person_years' as denominator_method,
    m.rate_per_100k,
    m.rate_per_100k_lower,
    m.rate_per_100k_upper,
    m.estimate_method,
    cast(m.share_of_arrests as double) as share_of_arrests,
    m.share_of_arrests_lower,
    m.share_of_arrests_upper,
    cast(m.unknown_nationality_share as double) as unknown_nationality_share,
    m.unknown_nationality_share_lower,
    m.unknown_nationality_share_upper,
    cast(m.forces_reporting as integer) as forces_reporting,
    cast(region_totals.forces_in_region as integer) as forces_in_region,
    cast(reporting_population.population as double) / region_totals.region_population
        as population_coverage,
    cast(m.months_covered as integer) as months_covered,
    cast(m.months_covered_max as integer) as months_covered_max,
    m.forces_reporting = region_totals.forces_in_region and m.months_covered = 12 as is_complete,
    m.data_origin
from measured as m
inner join region_totals on m.area_code = region_totals.region_code
inner join reporting_population
    on m.area_code = reporting_population.region_code and m.period = reporting_population.period
where m.level = 'region';

checkpoint;
