-- raw.home_office_markers: A dataset's markers: 'not_available' or 'nil'.
create table if not exists raw.home_office_markers (
    dataset_id varchar not null,
    marker varchar not null,
    meaning varchar not null
);
