-- Every offence a figure can be asked for: the offence groups (of the Home Office taxonomy and of
-- the cells), the categories, and the Home Office codes with their wordings.
select distinct 'group' as level, offence_group as value, offence_group as name
from reference.ref_offence_taxonomy
union
select distinct 'group', offence_group, offence_group
from marts.arrests_by_month
where offence_group is not null
union
select distinct 'category', offence_category, offence_category
from reference.ref_offence_taxonomy
union
select 'code', offence_code, offence
from reference.ref_offence_taxonomy
order by level, value
