-- raw.quarantined_returns: Return folders that could not be loaded, with the error (their last good load stays in use).
-- return_id, force, period_start and period_end (YYYY-MM) are what the folder's manifest says of the return, when the
-- manifest could be read: each NULL where the manifest does not give it validly.
create table if not exists raw.quarantined_returns (
    landing_folder varchar primary key,
    content_sha256 varchar not null,
    error varchar not null,
    quarantined_at timestamp not null,
    return_id varchar,
    force varchar,
    period_start varchar,
    period_end varchar
);
