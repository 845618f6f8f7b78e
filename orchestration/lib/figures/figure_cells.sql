-- The source cells behind one figure request (marts.source_cells: return, file, sheet, row and
-- column of every count), with the area each stands behind. The same selection as
-- figure_inputs.sql (figure_selection.sql): the requested months, the offence, the forces behind
-- the figure.
--   $months, $kind, $value, $level, $forces   as in figure_selection.sql
--   $nationality_groups   the nationality groups asked for ('all' keeps every cell)
with cells as (
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
),

-- include: figure_selection.sql

-- the cells of the offence and of the nationality groups asked for
asked_cells as (
    select *
    from offence_cells
    where list_contains($nationality_groups, 'all')
        or list_contains($nationality_groups, nationality_group)
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
from asked_cells as cells
inner join behind on cells.force_code = behind.force_code
inner join area_forces on cells.force_code = area_forces.force_code
order by area_forces.area_code, cells.force_code, cells.month, cells.return_id, cells.source_file,
    cells.sheet, cells.source_row, cells.source_column
