-- One row per published rate cell (arrests per `rate_per` population, by force, sex and year as a
-- rate table gives them), typed, with its lineage, so the warehouse's own rates can be set beside
-- the published ones. The rate is the figure as shown (`12.3`, not the stored 12.3456); a marked
-- figure (`12.3*`) keeps its rate and sets is_marked (rate_raw keeps the mark); a nil is 0; not available is null.
with cells as (
    select * from {{ source('raw_home_office', 'home_office_cells') }}
    where measure = 'rate'
),

datasets as (
    select * from {{ source('raw_home_office', 'home_office_datasets') }}
),

final as (
    select
        cells.dataset_id,
        cells.source_file,
        cells.file_sha256,
        cells.sheet,
        cells.source_row,
        cells.source_column,
        cells.source_header,
        cells.period,
        cells.financial_year_raw,
        cells.force_code,
        cells.force_name,
        cells.force_name_raw,
        cells.offence_group,
        trim(cells.gender_raw) as gender,
        trim(cells.age_group_raw) as age_group,
        trim(cells.ethnicity_raw) as ethnic_group,
        datasets.rate_per,
        cells.value_raw as rate_raw,
        cells.stored_raw,
        coalesce(cells.flag = 'not_available', false) as is_not_available,
        coalesce(cells.flag = 'nil', false) as is_nil,
        coalesce(cells.flag = 'marked', false) as is_marked,
        case
            when cells.flag = 'not_available' then null
            when cells.flag = 'nil' then cast(0 as decimal(18, 6))
            else cast(
                replace(regexp_replace(cells.value_raw, '[^0-9.,]+$', ''), ',', '')
                as decimal(18, 6)
            )
        end as rate,
        datasets.data_origin
    from cells
    inner join datasets on cells.dataset_id = datasets.dataset_id
)

select * from final
