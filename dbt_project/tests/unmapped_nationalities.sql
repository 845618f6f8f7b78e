-- Nationality strings in current returns that the nationality lookup seed does not map: one row per
-- string and file (or sheet) of a return, with the first cell carrying it (its row and count
-- column) and how many cells do.
select
    return_id,
    source_file,
    sheet,
    nationality_raw,
    min(source_row) as source_row,
    first(source_column order by source_row, length(source_column), source_column) as source_column,
    count(*) as cells
from {{ ref('int_arrest_cells_classified') }}
where nationality_group is null
group by return_id, source_file, sheet, nationality_raw
