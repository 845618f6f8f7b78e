-- raw.home_office_cells: Every value cell of a Home Office table's force rows as text (as the sheet
-- shows it, and as it stores it), with where it was read, the force and offence group it was read as
-- (from the seeds and the manifest's offence_mapping) and its flag (nil, not_available, marked).
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
    force_code varchar,
    region_raw varchar,
    offence_group_raw varchar,
    offence_group varchar,
    is_offence_total boolean not null,
    gender_raw varchar,
    ethnicity_raw varchar,
    age_group_raw varchar,
    measure varchar not null,
    value_raw varchar,
    stored_raw varchar,
    flag varchar
);
