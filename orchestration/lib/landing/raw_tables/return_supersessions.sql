-- raw.return_supersessions: The returns a corrected return replaces (its manifest's supersedes).
create table if not exists raw.return_supersessions (
    return_id varchar not null,
    supersedes_return_id varchar not null
);
