-- raw.home_office_cells: Every count cell of a Home Office table as text, with where it was read.
create table if not exists raw.home_office_cells (
    dataset_id varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    sheet varchar,
    source_row integer not null,
    source_column varchar not null,
    source_header varchar,
    financial_year_raw varchar,
    period varchar,
    geocode_raw varchar,
    force_name_raw varchar,
    force_name varchar,
    region_raw varchar,
    offence_group_raw varchar,
    is_offence_total boolean not null,
    gender_raw varchar,
    ethnicity_raw varchar,
    age_group_raw varchar,
    arrests_raw varchar
);
