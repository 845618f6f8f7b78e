-- Which current return covers each force-month, and with how many cells. Two current returns for
-- one force-month would double count: a test requires exactly one.
with cells as (
    select * from {{ ref('int_arrest_cells_classified') }}
),

final as (
    select
        force_code,
        month,
        period,
        count(distinct return_id) as returns_covering,
        min(return_id) as return_id,
        count(*) as cells,
        sum(case when is_suppressed then 1 else 0 end) as suppressed_cells,
        sum(case when nationality_group = 'unknown' then coalesce(arrests, 0) else 0 end) as unknown_arrests,
        sum(coalesce(arrests, 0)) as arrests,
        max(data_origin) as data_origin
    from cells
    group by force_code, month, period
)

select * from final
