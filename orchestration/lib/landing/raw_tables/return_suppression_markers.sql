-- raw.return_suppression_markers: The markers of a file: 'suppressed' (a small count withheld) or 'nil' (zero).
create table if not exists raw.return_suppression_markers (
    return_id varchar not null,
    source_file varchar not null,
    sheet varchar,
    marker varchar not null,
    meaning varchar not null
);
