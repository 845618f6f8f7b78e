-- Arrest rates per 100,000 person-years by financial year × region × offence group × nationality
-- group, over the forces that reported (each force's population × its months covered / 12), with
-- bounds under suppression, point estimates where defined, exact Poisson 95% intervals, coverage.
with inputs as (
    select * from {{ ref('int_rate_inputs_by_area') }}
    where geography_level = 'region'
),

limits as (
    select * from {{ ref('int_poisson_limits') }}
),

final as (
    select
        inputs.period,
        inputs.geography_code as region_code,
        inputs.geography_name as region,
        inputs.offence_group,
        inputs.nationality_group,
        inputs.arrests,
        inputs.arrests_lower,
        inputs.arrests_upper,
        inputs.cells,
        inputs.suppressed_cells,
        inputs.suppressed_cells > 0 as depends_on_suppressed,
        inputs.population,
        {{ rate_measures(['inputs.period', 'inputs.geography_code', 'inputs.offence_group']) }},
        inputs.forces_reporting,
        inputs.forces_in_area as forces_in_region,
        inputs.population_coverage,
        inputs.months_covered,
        inputs.months_covered_max,
        inputs.forces_reporting = inputs.forces_in_area and inputs.months_covered = 12 as is_complete,
        inputs.data_origin
    from inputs
    left join limits as limits_lower on inputs.arrests_lower = limits_lower.arrests
    left join limits as limits_upper on inputs.arrests_upper = limits_upper.arrests
)

select * from final
