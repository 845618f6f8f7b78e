-- Offence descriptions in current returns that the offence lookup seed does not map.
select distinct offence_raw, return_id
from {{ ref('int_arrest_cells_classified') }}
where offence_group is null
