-- raw.home_office_datasets: One row per loaded Home Office dataset: its manifest's facts and the sha256 of its folder.
create table if not exists raw.home_office_datasets (
    dataset_id varchar primary key,
    dataset_folder varchar not null,
    kind varchar not null,
    title varchar not null,
    publisher varchar not null,
    publication varchar,
    url varchar,
    data_origin varchar not null,
    notes varchar,
    source_file varchar not null,
    file_sha256 varchar not null,
    sheet varchar,
    cell_count bigint not null,
    content_sha256 varchar not null,
    loaded_at timestamp not null,
    rate_per integer  -- a rate_table's population base (1000: per 1,000 population)
);
