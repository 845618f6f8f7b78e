-- Cell-level lineage: every count cell behind the published rates, with the return, file, sheet,
-- row and column it was read from. A mart row's cells are those with the same period and force
-- (or region), its offence group (every group for 'All offences') and its nationality group
-- (every group for 'all').
-- A view: it only names int_arrest_cells_classified's cells with their region, and a table would
-- copy every cell of the warehouse a second time on each refresh (19 s and 10 M rows at 1e7).
{{ config(materialized='view') }}

with cells as (
    select * from {{ ref('int_arrest_cells_classified') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

taxonomy as (
    select * from {{ ref('ref_offence_taxonomy') }}
),

-- A current return whose landing folder now holds a version that could not be loaded: its cells
-- are its last good load's.
return_status as (
    select
        returns.return_id,
        case when quarantined.landing_folder is null then 'current'
            else 'current (a newer version is quarantined)' end as return_status
    from {{ ref('int_force_returns_resolved') }} as returns
    left join {{ ref('stg_force_returns__quarantined') }} as quarantined
        on returns.landing_folder = quarantined.landing_folder
    where not returns.is_superseded
),

final as (
    select
        cells.period,
        cells.force_code,
        forces.region_code,
        cells.offence_group,
        taxonomy.offence_category,
        cells.offence_code,
        cells.nationality_group,
        cells.month,
        cells.offence_raw,
        cells.nationality_raw,
        cells.count_raw,
        cells.is_suppressed,
        cells.arrests,
        cells.arrests_lower,
        cells.arrests_upper,
        cells.return_id,
        return_status.return_status,
        cells.source_file,
        cells.file_sha256,
        cells.sheet,
        cells.source_row,
        cells.source_column,
        cells.data_origin
    from cells
    inner join forces on cells.force_code = forces.force_code
    inner join return_status on cells.return_id = return_status.return_id
    left join taxonomy on cells.offence_code = taxonomy.offence_code
)

select * from final
