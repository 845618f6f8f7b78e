-- raw.return_suppression_markers: The markers of a file: 'suppressed' (a small count withheld) or 'nil' (zero).
create table if not exists raw.return_suppression_markers (
    return_id varchar not null,
    source_file varchar not null,
    sheet varchar,
    -- first row of the table read, when a sheet holds several (null: the whole sheet)
    table_row integer,
    marker varchar not null,
    meaning varchar not null
);
