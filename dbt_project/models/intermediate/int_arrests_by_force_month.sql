-- Arrests at force × month × offence group × nationality group grain, with suppressed cells kept
-- as bounds: each suppressed cell adds its declared range, each number itself to both bounds.
with cells as (
    select * from {{ ref('int_arrest_cells_classified') }}
),

final as (
    select
        force_code,
        month,
        period,
        offence_group,
        nationality_group,
        sum(arrests_lower) as arrests_lower,
        sum(arrests_upper) as arrests_upper,
        sum(case when is_suppressed then 1 else 0 end) as suppressed_cells,
        count(*) as cells,
        -- 'synthetic' sorts after 'real': any synthetic input marks the row synthetic
        max(data_origin) as data_origin
    from cells
    group by force_code, month, period, offence_group, nationality_group
)

select * from final
