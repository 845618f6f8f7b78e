-- One row per count cell, typed. A suppressed cell (a marker such as `*`) keeps arrests null and
-- carries the range it stands for in arrests_lower / arrests_upper: never a silent zero.
with cells as (
    select * from {{ source('raw', 'return_cells') }}
),

files as (
    select * from {{ source('raw', 'return_files') }}
),

markers as (
    select * from {{ source('raw', 'return_suppression_markers') }}
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
        cells.count_raw,
        markers.marker is not null as is_suppressed,
        case when markers.marker is null then cast(cells.count_raw as integer) end as arrests,
        case
            when markers.marker is null then cast(cells.count_raw as integer)
            else files.suppressed_lower
        end as arrests_lower,
        case
            when markers.marker is null then cast(cells.count_raw as integer)
            else files.suppressed_upper
        end as arrests_upper
    from cells
    inner join files
        on cells.return_id = files.return_id
        and cells.source_file = files.source_file
    left join markers
        on cells.return_id = markers.return_id
        and cells.source_file = markers.source_file
        and cells.count_raw = markers.marker
)

select * from final
