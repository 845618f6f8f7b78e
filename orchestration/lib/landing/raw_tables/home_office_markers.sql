-- raw.home_office_markers: A dataset's markers: 'not_available', 'nil' or 'mark' (stuck to a figure: 12.3*).
create table if not exists raw.home_office_markers (
    dataset_id varchar not null,
    marker varchar not null,
    meaning varchar not null
);
