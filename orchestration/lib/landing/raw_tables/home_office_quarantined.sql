-- raw.home_office_quarantined: Home Office dataset folders that could not be loaded, with the error.
create table if not exists raw.home_office_quarantined (
    dataset_folder varchar primary key,
    content_sha256 varchar not null,
    error varchar not null,
    quarantined_at timestamp not null
);
