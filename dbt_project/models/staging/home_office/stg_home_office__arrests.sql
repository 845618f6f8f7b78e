-- One row per Home Office count cell, typed: the period as the warehouse writes it ('2023-24'),
-- the force resolved to its ONS code, the offence group mapped like the force returns'. A cell
-- published as not available (such as `..`) keeps arrests null and is flagged, never a zero; a nil
-- cell (such as `-`) is a true zero. Which marker means what comes from the dataset's manifest.
with cells as (
    select * from {{ source('raw_home_office', 'home_office_cells') }}
),

datasets as (
    select * from {{ source('raw_home_office', 'home_office_datasets') }}
),

markers as (
    select * from {{ source('raw_home_office', 'home_office_markers') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

offences as (
    select * from {{ ref('offence_lookup') }}
),

-- Names a Home Office table may give a force: its name or its police force area name, compared
-- lower-cased with '&' read as 'and' ('Devon and Cornwall' is the PFA 'Devon & Cornwall').
force_names as (
    select force_code, lower(replace(force_name, '&', 'and')) as name_key from forces
    union
    select force_code, lower(replace(pfa_name, '&', 'and')) as name_key from forces
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
        coalesce(by_code.force_code, by_name.force_code) as force_code,
        cells.force_name,
        cells.force_name_raw,
        cells.geocode_raw,
        cells.region_raw,
        case when cells.is_offence_total then 'All offences' else offences.offence_group end
            as offence_group,
        cells.offence_group_raw,
        cells.is_offence_total,
        trim(cells.gender_raw) as gender,
        trim(cells.ethnicity_raw) as ethnic_group,
        trim(cells.age_group_raw) as age_group,
        cells.arrests_raw,
        coalesce(markers.meaning = 'not_available', false) as is_not_available,
        coalesce(markers.meaning = 'nil', false) as is_nil,
        case
            when markers.meaning = 'not_available' then null
            when markers.meaning = 'nil' then 0
            else cast(replace(cells.arrests_raw, ',', '') as integer)
        end as arrests,
        datasets.data_origin
    from cells
    inner join datasets on cells.dataset_id = datasets.dataset_id
    left join markers
        on cells.dataset_id = markers.dataset_id
        and cells.arrests_raw = markers.marker
    left join forces as by_code
        on upper(trim(cells.geocode_raw)) = by_code.force_code
    left join force_names as by_name
        on lower(trim(replace(cells.force_name, '&', 'and'))) = by_name.name_key
    left join offences
        on lower(trim(cells.offence_group_raw)) = offences.offence_raw
        and not cells.is_offence_total
)

select * from final
