-- raw.return_files: One row per file (or sheet) of a return: how it was read and what a suppressed cell stands for.
create table if not exists raw.return_files (
    return_id varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    sheet varchar,
    -- first row of the table read, when a sheet holds several (null: the whole sheet)
    table_row integer,
    source_url varchar,
    layout varchar not null,
    suppressed_lower integer not null,
    suppressed_upper integer not null,
    cell_count bigint not null
);
