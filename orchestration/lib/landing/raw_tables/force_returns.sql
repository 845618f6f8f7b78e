-- raw.force_returns: One row per loaded force return: its manifest's facts and the sha256 of its folder.
create table if not exists raw.force_returns (
    return_id varchar primary key,
    landing_folder varchar not null,
    force varchar not null,
    reference varchar not null,
    received varchar not null,
    period_start varchar not null,
    period_end varchar not null,
    data_origin varchar not null,
    notes varchar,
    content_sha256 varchar not null,
    loaded_at timestamp not null
);
