-- What both figure queries select, written once: figure_inputs.sql and figure_cells.sql define
-- `cells` (their rows, each with month, force_code, the offence hierarchy and its flags), take in
-- these CTEs at their line `-- include: figure_selection.sql` (warehouse.py) and go on with their
-- own: so the last one here ends with a comma.
--   $months    the requested months (first of month)
--   $kind      'all', 'group', 'category', 'code', or a flag: 'child_sexual', 'under_13',
--              'indecent_images', 'prostitution'
--   $value     the group, category or code (null for 'all' and the flags)
--   $level     'national', 'region' or 'force'
--   $forces    force codes to keep at the force level (empty: every force)
requested as (
    select unnest($months::date[]) as month
),

forces as (
    select force_code, force_name, region_code, region_name
    from reference.ref_forces
),

-- months a force covers: its returns declare them (status 'received'), with or without cells
covered as (
    select force_code, count(*) as months_covered, max(data_origin) as data_origin
    from marts.force_month_coverage
    where status = 'received' and month in (select month from requested)
    group by force_code
),

-- the current returns declaring a requested month
declaring as (
    select distinct unnest(string_split(return_ids, ', ')) as return_id
    from marts.force_month_coverage
    where status = 'received' and month in (select month from requested)
),

requested_cells as (
    select *
    from cells
    where month in (select month from requested)
),

-- Which forces stand behind the figure, decided by return, not by month: a return that declares a
-- requested month stands behind it with what it reports anywhere (a month it declares without
-- cells is zero arrests, as in the marts). An offence group (or all offences): the forces covering
-- a requested month whose declaring returns sent a cell of the group (a zero counts). A category,
-- code or flag: only forces whose declaring returns name offences; a return by offence group
-- cannot say whether a victim was a child.
behind as (
    select covered.force_code, covered.months_covered, covered.data_origin
    from covered
    where case
        when $kind = 'all' then true
        when $kind = 'group' then covered.force_code in (
            select force_code from cells
            where return_id in (select return_id from declaring) and offence_group = $value)
        else covered.force_code in (
            select force_code from cells
            where return_id in (select return_id from declaring) and offence_code is not null)
    end
),

-- the requested cells of the offence asked for (behind's forces or not)
offence_cells as (
    select *
    from requested_cells
    where case $kind
        when 'all' then true
        when 'group' then offence_group = $value
        when 'category' then offence_category = $value
        -- a Home Office class (86) takes in its sub-classes (86/2, 86/10, ...)
        when 'code' then offence_code = $value or offence_code in (
            select offence_code from reference.ref_offence_taxonomy where parent_code = $value)
        when 'child_sexual' then coalesce(is_sexual_offence and is_child_victim, false)
            or coalesce(is_indecent_images_of_children, false)
        when 'under_13' then coalesce(is_victim_under_13, false)
        when 'indecent_images' then coalesce(is_indecent_images_of_children, false)
        when 'prostitution' then coalesce(is_prostitution_related, false)
    end
),

-- the forces of each area asked for
area_forces as (
    select 'national' as area_level, 'K04000001' as area_code, 'England and Wales' as area_name,
        force_code, force_name
    from forces
    where $level = 'national'
    union all
    select 'region', region_code, region_name, force_code, force_name
    from forces
    where $level = 'region'
    union all
    select 'force', force_code, force_name, force_code, force_name
    from forces
    where $level = 'force' and (len($forces) = 0 or list_contains($forces, force_code))
),
