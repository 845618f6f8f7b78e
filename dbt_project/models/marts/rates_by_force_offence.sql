-- Arrest rates per 100,000 person-years by financial year × force × offence group × nationality
-- group: each count, rate and share with its bounds under suppression, a point estimate where the
-- method defines one (estimate_method), exact Poisson 95% intervals over the bounds, and coverage.
with inputs as (
    select * from {{ ref('int_rate_inputs_by_force') }}
),

limits as (
    select * from {{ ref('int_poisson_limits') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

final as (
    select
        inputs.period,
        inputs.force_code,
        forces.force_name,
        forces.region_name as region,
        forces.region_code,
        inputs.offence_group,
        inputs.nationality_group,
        inputs.arrests,
        inputs.arrests_lower,
        inputs.arrests_upper,
        inputs.cells,
        inputs.suppressed_cells,
        inputs.suppressed_cells > 0 as depends_on_suppressed,
        inputs.population,
        {{ rate_measures(['inputs.period', 'inputs.force_code', 'inputs.offence_group']) }},
        inputs.months_covered,
        inputs.months_covered = 12 as is_complete,
        inputs.population_reference_period,
        inputs.population_source,
        inputs.data_origin
    from inputs
    inner join forces on inputs.force_code = forces.force_code
    left join limits as limits_lower on inputs.arrests_lower = limits_lower.arrests
    left join limits as limits_upper on inputs.arrests_upper = limits_upper.arrests
)

select * from final
