-- Nationality strings in current returns that the nationality lookup seed does not map.
select distinct nationality_raw, return_id
from {{ ref('int_arrest_cells_classified') }}
where nationality_group is null
