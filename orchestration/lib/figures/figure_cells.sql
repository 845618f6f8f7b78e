-- The source cells behind one figure request (marts.source_cells: return, file, sheet, row and
-- column of every count), with the area each stands behind. The same selection as
-- figure_inputs.sql: the requested months, the offence, the forces behind the figure.
--   $months, $kind, $value, $level, $forces   as in figure_inputs.sql
--   $nationality_groups   the nationality groups asked for ('all' keeps every cell)
with requested as (
    select unnest($months::date[]) as month
),

forces as (
    select force_code, force_name, region_code, region_name
    from reference.ref_forces
),

covered as (
    select force_code
    from marts.force_month_coverage
    where status = 'received' and month in (select month from requested)
    group by force_code
),

cells as (
    select
        source_cells.*,
        coalesce(taxonomy.is_sexual_offence, source_cells.offence_group = 'Sexual offences')
            as is_sexual_offence,
        taxonomy.is_child_victim,
        taxonomy.is_victim_under_13,
        taxonomy.is_indecent_images_of_children,
        taxonomy.is_prostitution_related
    from marts.source_cells
    left join reference.ref_offence_taxonomy as taxonomy
        on source_cells.offence_code = taxonomy.offence_code
    where source_cells.month in (select month from requested)
),

behind as (
    select covered.force_code
    from covered
    where case
        when $kind = 'all' then true
        when $kind = 'group' then covered.force_code in (
            select force_code from cells where offence_group = $value)
        else covered.force_code in (select force_code from cells where offence_code is not null)
    end
),

area_forces as (
    select 'national' as area_level, 'K04000001' as area_code, 'England and Wales' as area_name,
        force_code, force_name
    from forces
    where $level = 'national'
    union all
    select 'region', region_code, region_name, force_code, force_name
    from forces
    where $level = 'region'
    union all
    select 'force', force_code, force_name, force_code, force_name
    from forces
    where $level = 'force' and (len($forces) = 0 or list_contains($forces, force_code))
)

select
    area_forces.area_level,
    area_forces.area_code,
    area_forces.area_name,
    cells.force_code,
    area_forces.force_name,
    cells.month,
    cells.offence_group,
    cells.offence_category,
    cells.offence_code,
    cells.offence_raw,
    cells.nationality_group,
    cells.nationality_raw,
    cells.count_raw,
    cells.is_suppressed,
    cells.arrests,
    cells.arrests_lower,
    cells.arrests_upper,
    cells.return_id,
    cells.return_status,
    cells.source_file,
    cells.sheet,
    cells.source_row,
    cells.source_column,
    cells.file_sha256,
    cells.data_origin
from cells
inner join behind on cells.force_code = behind.force_code
inner join area_forces on cells.force_code = area_forces.force_code
where (list_contains($nationality_groups, 'all')
        or list_contains($nationality_groups, cells.nationality_group))
    and case $kind
        when 'all' then true
        when 'group' then cells.offence_group = $value
        when 'category' then cells.offence_category = $value
        when 'code' then cells.offence_code = $value
        when 'child_sexual' then coalesce(cells.is_sexual_offence and cells.is_child_victim, false)
            or coalesce(cells.is_indecent_images_of_children, false)
        when 'under_13' then coalesce(cells.is_victim_under_13, false)
        when 'indecent_images' then coalesce(cells.is_indecent_images_of_children, false)
        when 'prostitution' then coalesce(cells.is_prostitution_related, false)
    end
order by area_forces.area_code, cells.force_code, cells.month, cells.return_id, cells.source_file,
    cells.sheet, cells.source_row, cells.source_column
