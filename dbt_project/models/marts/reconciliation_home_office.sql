-- Force returns against the Home Office arrest statistics: one row per financial year × force ×
-- offence group (with 'All offences') × Home Office source, for every force and year present on
-- at least one side. Each source (the open data table, the published summary tables) is compared
-- on its own, so a difference is always between two named figures.
with returns as (
    select * from {{ ref('int_rate_inputs_by_force') }}
    where nationality_group = 'all'
),

home_office as (
    select * from {{ ref('int_home_office_arrests_by_force') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

-- The Home Office sources covering each year: a force return is compared with each of them, and
-- shows as missing in a source that has the year but not the force or offence group.
source_periods as (
    select distinct source, period from home_office
),

returns_by_source as (
    select
        returns.*,
        coalesce(source_periods.source, 'none') as home_office_source
    from returns
    left join source_periods on returns.period = source_periods.period
),

joined as (
    select
        coalesce(r.period, h.period) as period,
        coalesce(r.force_code, h.force_code) as force_code,
        coalesce(r.offence_group, h.offence_group) as offence_group,
        coalesce(r.home_office_source, h.source) as home_office_source,
        h.dataset_id as home_office_dataset_id,
        r.period is not null as in_returns,
        h.period is not null as in_home_office,
        r.arrests as returns_arrests,
        r.arrests_lower as returns_arrests_lower,
        r.arrests_upper as returns_arrests_upper,
        r.suppressed_cells as returns_suppressed_cells,
        r.months_covered as returns_months_covered,
        h.arrests as home_office_arrests,
        h.is_not_available as home_office_not_available,
        r.data_origin as returns_data_origin,
        h.data_origin as home_office_data_origin
    from returns_by_source as r
    full outer join home_office as h
        on r.period = h.period
        and r.force_code = h.force_code
        and r.offence_group = h.offence_group
        and r.home_office_source = h.source
),

final as (
    select
        joined.period,
        joined.force_code,
        forces.force_name,
        forces.region_name as region,
        joined.offence_group,
        joined.home_office_source,
        joined.home_office_dataset_id,
        cast(joined.returns_arrests as bigint) as returns_arrests,
        cast(joined.returns_arrests_lower as bigint) as returns_arrests_lower,
        cast(joined.returns_arrests_upper as bigint) as returns_arrests_upper,
        cast(joined.returns_suppressed_cells as integer) as returns_suppressed_cells,
        cast(joined.returns_months_covered as integer) as returns_months_covered,
        cast(joined.home_office_arrests as bigint) as home_office_arrests,
        joined.home_office_not_available,
        cast(joined.home_office_arrests - joined.returns_arrests as bigint) as difference,
        cast(joined.home_office_arrests - joined.returns_arrests as double)
            / nullif(joined.home_office_arrests, 0) as relative_difference,
        case
            when joined.in_returns and joined.home_office_arrests is not null
                then joined.home_office_arrests >= joined.returns_arrests_lower
                and joined.home_office_arrests <= joined.returns_arrests_upper
        end as within_suppression_bounds,
        case
            when not joined.in_home_office then 'missing_in_home_office'
            when not joined.in_returns then 'missing_in_returns'
            when joined.home_office_not_available then 'not_available'
            when joined.home_office_arrests >= joined.returns_arrests_lower
                and joined.home_office_arrests <= joined.returns_arrests_upper then 'match'
            else 'differs'
        end as status,
        case
            when joined.returns_data_origin = 'synthetic'
                or joined.home_office_data_origin = 'synthetic' then 'synthetic'
            else 'real'
        end as data_origin
    from joined
    left join forces on joined.force_code = forces.force_code
)

select * from final
