-- One row per Home Office count cell, typed: the period as the warehouse writes it ('2023-24'), the
-- force and offence group as the reader resolved them (from the seeds and the manifest's
-- offence_mapping, so a row it could not place quarantined the dataset instead). A cell published
-- as not available (such as `..`) keeps arrests null and is flagged, never a zero; a nil cell (such
-- as `-`, shown for a stored 0) is a true zero; the flag comes from the text the sheet shows.
with cells as (
    select * from {{ source('raw_home_office', 'home_office_cells') }}
    where measure = 'arrests'
),

datasets as (
    select * from {{ source('raw_home_office', 'home_office_datasets') }}
),

final as (
    select
        cells.dataset_id,
        datasets.kind as source,
        cells.source_file,
        cells.file_sha256,
        cells.sheet,
        cells.source_row,
        cells.source_column,
        cells.source_header,
        -- read from financial_year_raw at ingestion ('2023/24' -> '2023-24')
        cells.period,
        cells.financial_year_raw,
        cells.force_code,
        cells.force_name,
        cells.force_name_raw,
        cells.geocode_raw,
        cells.region_raw,
        cells.offence_group,
        cells.offence_group_raw,
        cells.is_offence_total,
        trim(cells.gender_raw) as gender,
        trim(cells.ethnicity_raw) as ethnic_group,
        trim(cells.age_group_raw) as age_group,
        cells.value_raw as arrests_raw,
        cells.stored_raw,
        coalesce(cells.flag = 'not_available', false) as is_not_available,
        coalesce(cells.flag = 'nil', false) as is_nil,
        coalesce(cells.flag = 'marked', false) as is_marked,
        case
            when cells.flag = 'not_available' then null
            when cells.flag = 'nil' then 0
            else cast(replace(regexp_replace(cells.value_raw, '[^0-9,]+$', ''), ',', '') as integer)
        end as arrests,
        datasets.data_origin
    from cells
    inner join datasets on cells.dataset_id = datasets.dataset_id
)

select * from final
