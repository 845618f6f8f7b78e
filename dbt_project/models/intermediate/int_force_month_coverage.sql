-- Which current return declares each force-month, and the cells read for it (none for a month
-- the return declares with no rows: zero arrests). Two current returns for one force-month would
-- double count: a test requires exactly one.
with declared as (
    select * from {{ ref('int_return_months') }}
),

cells as (
    select
        return_id,
        month,
        count(*) as cells,
        sum(case when is_suppressed then 1 else 0 end) as suppressed_cells,
        sum(arrests_lower) as arrests_lower,
        sum(arrests_upper) as arrests_upper,
        sum(case when nationality_group = 'unknown' then arrests_lower else 0 end) as unknown_arrests_lower,
        sum(case when nationality_group = 'unknown' then arrests_upper else 0 end) as unknown_arrests_upper
    from {{ ref('int_arrest_cells_classified') }}
    group by return_id, month
),

final as (
    select
        declared.force_code,
        declared.month,
        declared.period,
        count(distinct declared.return_id) as returns_covering,
        min(declared.return_id) as return_id,
        cast(coalesce(sum(cells.cells), 0) as bigint) as cells,
        cast(coalesce(sum(cells.suppressed_cells), 0) as integer) as suppressed_cells,
        cast(coalesce(sum(cells.arrests_lower), 0) as bigint) as arrests_lower,
        cast(coalesce(sum(cells.arrests_upper), 0) as bigint) as arrests_upper,
        cast(coalesce(sum(cells.unknown_arrests_lower), 0) as bigint) as unknown_arrests_lower,
        cast(coalesce(sum(cells.unknown_arrests_upper), 0) as bigint) as unknown_arrests_upper,
        max(declared.data_origin) as data_origin
    from declared
    left join cells
        on declared.return_id = cells.return_id
        and declared.month = cells.month
    group by declared.force_code, declared.month, declared.period
)

select * from final
