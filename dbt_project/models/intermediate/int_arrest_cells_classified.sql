-- Count cells of current (not superseded) returns, with force, offence and nationality attached.
-- Unmapped offences or nationalities keep a null group and fail a test listing them. Offence flags
-- (sexual, child victim) come from the Home Office taxonomy when the return names the offence;
-- a return giving only offence groups leaves the child-victim flag unknown (null), never false.
--
-- Incremental by return: a refresh rebuilds the cells of returns whose input key changed (new or
-- corrected content, force or origin, or any change to the dbt project: code, seeds, lookups) and
-- deletes the cells of returns no longer current (removed or superseded).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='return_id',
    on_schema_change='fail',
    post_hook="delete from {{ this }} where input_key not in (select input_key from {{ ref('int_current_return_keys') }})"
) }}

with returns as (
    select * from {{ ref('int_current_return_keys') }}
    {% if is_incremental() %}
    where input_key not in (select distinct input_key from {{ this }})
    {% endif %}
),

cells as (
    select * from {{ ref('stg_force_returns__cells') }}
    where return_id in (select return_id from returns)
),

offences as (
    select * from {{ ref('offence_lookup') }}
),

taxonomy as (
    select * from {{ ref('ref_offence_taxonomy') }}
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
        {{ financial_year('cells.month') }} as period,
        cells.offence_raw,
        offences.offence_code,
        offences.offence_group,
        coalesce(taxonomy.is_sexual_offence, offences.offence_group = 'Sexual offences')
            as is_sexual_offence,
        taxonomy.is_child_victim and taxonomy.is_sexual_offence as is_child_sexual_offence,
        cells.nationality_raw,
        nationalities.iso3,
        nationalities.nationality_group,
        nationalities.nationality_subgroup,
        cells.count_raw,
        cells.is_suppressed,
        cells.arrests,
        cells.arrests_lower,
        cells.arrests_upper,
        returns.input_key
    from cells
    inner join returns on cells.return_id = returns.return_id
    left join offences on lower(trim(cells.offence_raw)) = offences.offence_raw
    left join taxonomy on offences.offence_code = taxonomy.offence_code
    left join nationalities on lower(trim(cells.nationality_raw)) = nationalities.nationality_raw
)

select * from final
