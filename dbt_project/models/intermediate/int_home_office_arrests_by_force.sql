-- Home Office arrests at financial year × force × offence group grain, one set per source (the open
-- data table, the published summary tables), with 'All offences': the table's own total where it
-- gives one, else the sum of its offence groups. A figure resting on a not-available cell is null
-- and flagged: a partial sum is never passed off as the figure.
with cells as (
    select * from {{ ref('stg_home_office__arrests') }}
),

by_group as (
    select
        source,
        period,
        force_code,
        offence_group,
        sum(coalesce(arrests, 0)) as known_arrests,
        sum(case when is_not_available then 1 else 0 end) as not_available_cells,
        count(*) as cells,
        min(dataset_id) as dataset_id,
        max(data_origin) as data_origin,
        false as is_sum_of_groups
    from cells
    group by source, period, force_code, offence_group
),

-- 'All offences' for tables that give no total of their own (the open data table).
summed_totals as (
    select
        groups.source,
        groups.period,
        groups.force_code,
        'All offences' as offence_group,
        sum(groups.known_arrests) as known_arrests,
        sum(groups.not_available_cells) as not_available_cells,
        sum(groups.cells) as cells,
        min(groups.dataset_id) as dataset_id,
        max(groups.data_origin) as data_origin,
        true as is_sum_of_groups
    from by_group as groups
    where groups.offence_group <> 'All offences'
        and not exists (
            select 1 from by_group as given
            where given.offence_group = 'All offences'
                and given.source = groups.source
                and given.period = groups.period
                and given.force_code = groups.force_code
        )
    group by groups.source, groups.period, groups.force_code
),

combined as (
    select * from by_group
    union all
    select * from summed_totals
),

final as (
    select
        source,
        period,
        force_code,
        offence_group,
        cast(case when not_available_cells = 0 then known_arrests end as bigint) as arrests,
        not_available_cells > 0 as is_not_available,
        cast(not_available_cells as integer) as not_available_cells,
        cast(cells as integer) as cells,
        is_sum_of_groups,
        dataset_id,
        data_origin
    from combined
)

select * from final
