-- raw.return_cells: Every count cell of a return as text, with where it was read (file, sha256, sheet, row, column).
create table if not exists raw.return_cells (
    return_id varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    sheet varchar,
    -- first row of the table read, when a sheet holds several (null: the whole sheet)
    table_row integer,
    source_row integer not null,
    source_column varchar not null,
    source_header varchar,
    month_raw varchar,
    month varchar,
    offence_raw varchar,
    nationality_raw varchar,
    sex_raw varchar,
    age_band_raw varchar,
    count_raw varchar,
    -- every row a record-level return's counted cell counts (null: the cell at source_row)
    source_rows integer[]
);
