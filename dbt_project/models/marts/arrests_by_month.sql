-- Arrests at the finest grain the returns give: force × calendar month × offence (Home Office
-- code where the return names the offence, with its category, group and flags) × nationality
-- (group, subgroup and ISO 3166 code where given), with the suppressed-cell bounds. Any period is
-- a sum of its months: the months each force covers, zero months included, and why the others
-- are not covered, are in force_month_coverage (status 'received'), on the same force and month.
with cells as (
    select * from {{ ref('int_arrest_cells_classified') }}
),

taxonomy as (
    select * from {{ ref('ref_offence_taxonomy') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

grouped as (
    select
        month,
        period,
        force_code,
        offence_group,
        offence_code,
        nationality_group,
        nationality_subgroup,
        iso3,
        sum(arrests_lower) as arrests_lower,
        sum(arrests_upper) as arrests_upper,
        sum(case when is_suppressed then 1 else 0 end) as suppressed_cells,
        count(*) as cells,
        min(return_id) as return_id,
        max(data_origin) as data_origin
    from cells
    group by month, period, force_code, offence_group, offence_code, nationality_group,
        nationality_subgroup, iso3
),

final as (
    select
        grouped.month,
        cast(extract(year from grouped.month) as integer) as calendar_year,
        grouped.period,
        grouped.force_code,
        forces.force_name,
        forces.region_code,
        forces.region_name as region,
        grouped.offence_group,
        taxonomy.offence_category,
        grouped.offence_code,
        taxonomy.offence,
        -- from the taxonomy where the offence is named; a group-level row knows only whether it is
        -- a sexual offence, and leaves the other flags unknown (null), never false
        coalesce(taxonomy.is_sexual_offence, grouped.offence_group = 'Sexual offences') as is_sexual_offence,
        taxonomy.is_child_victim,
        taxonomy.is_victim_under_13,
        taxonomy.is_indecent_images_of_children,
        taxonomy.is_prostitution_related,
        grouped.nationality_group,
        grouped.nationality_subgroup,
        grouped.iso3,
        cast(case when grouped.suppressed_cells = 0 then grouped.arrests_lower end as bigint) as arrests,
        cast(grouped.arrests_lower as bigint) as arrests_lower,
        cast(grouped.arrests_upper as bigint) as arrests_upper,
        cast(grouped.cells as bigint) as cells,
        cast(grouped.suppressed_cells as integer) as suppressed_cells,
        grouped.return_id,
        grouped.data_origin
    from grouped
    inner join forces on grouped.force_code = forces.force_code
    left join taxonomy on grouped.offence_code = taxonomy.offence_code
)

select * from final
