-- One row per count cell, typed. A suppressed cell (a marker such as `*`) keeps arrests null and
-- carries the range it stands for in arrests_lower / arrests_upper: never a silent zero. A nil
-- marker (such as `-`, where a return declares it) is a count of zero.
with cells as (
    select * from {{ source('raw', 'return_cells') }}
),

files as (
    select * from {{ source('raw', 'return_files') }}
),

markers as (
    select * from {{ source('raw', 'return_suppression_markers') }}
),

suppression_markers as (
    select * from markers where meaning = 'suppressed'
),

nil_markers as (
    select * from markers where meaning = 'nil'
),

final as (
    select
        cells.return_id,
        cells.source_file,
        cells.file_sha256,
        cells.sheet,
        cells.source_row,
        cells.source_column,
        cells.source_header,
        -- read from month_raw with the manifest's month_format at ingestion, as YYYY-MM
        cast(cells.month || '-01' as date) as month,
        cells.month_raw,
        cells.offence_raw,
        cells.nationality_raw,
        cells.sex_raw,
        cells.age_band_raw,
        cells.count_raw,
        suppressed.marker is not null as is_suppressed,
        nil.marker is not null as is_nil,
        case
            when suppressed.marker is not null then null
            when nil.marker is not null then 0
            else cast(cells.count_raw as integer)
        end as arrests,
        case
            when suppressed.marker is not null then files.suppressed_lower
            when nil.marker is not null then 0
            else cast(cells.count_raw as integer)
        end as arrests_lower,
        case
            when suppressed.marker is not null then files.suppressed_upper
            when nil.marker is not null then 0
            else cast(cells.count_raw as integer)
        end as arrests_upper
    from cells
    inner join files
        on cells.return_id = files.return_id
        and cells.source_file = files.source_file
        and coalesce(cells.sheet, '') = coalesce(files.sheet, '')
        and coalesce(cells.table_row, 0) = coalesce(files.table_row, 0)
    left join suppression_markers as suppressed
        on cells.return_id = suppressed.return_id
        and cells.source_file = suppressed.source_file
        and coalesce(cells.sheet, '') = coalesce(suppressed.sheet, '')
        and coalesce(cells.table_row, 0) = coalesce(suppressed.table_row, 0)
        and cells.count_raw = suppressed.marker
    left join nil_markers as nil
        on cells.return_id = nil.return_id
        and cells.source_file = nil.source_file
        and coalesce(cells.sheet, '') = coalesce(nil.sheet, '')
        and coalesce(cells.table_row, 0) = coalesce(nil.table_row, 0)
        and cells.count_raw = nil.marker
)

select * from final
