-- Count cells of current (not superseded) returns, with force, offence group and nationality
-- group attached. Unmapped offences or nationalities keep a null group and fail a test listing them.
with cells as (
    select * from {{ ref('stg_force_returns__cells') }}
),

returns as (
    select * from {{ ref('int_force_returns_resolved') }}
    where not is_superseded
),

offences as (
    select * from {{ ref('offence_lookup') }}
),

nationalities as (
    select * from {{ ref('nationality_lookup') }}
),

final as (
    select
        cells.return_id,
        cells.source_file,
        cells.file_sha256,
        cells.sheet,
        cells.source_row,
        cells.source_column,
        returns.force_code,
        returns.data_origin,
        cells.month,
        cells.offence_raw,
        offences.offence_group,
        cells.nationality_raw,
        nationalities.nationality_group,
        cells.is_suppressed,
        cells.arrests,
        cells.arrests_lower,
        cells.arrests_upper
    from cells
    inner join returns on cells.return_id = returns.return_id
    left join offences on lower(trim(cells.offence_raw)) = offences.offence_raw
    left join nationalities on lower(trim(cells.nationality_raw)) = nationalities.nationality_raw
)

select * from final
