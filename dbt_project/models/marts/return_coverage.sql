-- Coverage of every territorial force for every financial year in the warehouse: which current
-- return(s) cover it, which months, how many cells, suppressed cells, unknown-nationality share,
-- and which earlier returns were superseded. A force with no return has a row with has_return false.
with coverage as (
    select * from {{ ref('int_force_month_coverage') }}
),

returns as (
    select * from {{ ref('int_force_returns_resolved') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

periods as (
    select distinct period from coverage
),

covered as (
    select
        period,
        force_code,
        count(*) as months_covered,
        min(month) as first_month,
        max(month) as last_month,
        sum(cells) as cells,
        sum(suppressed_cells) as suppressed_cells,
        cast(sum(unknown_arrests) as double) / nullif(sum(arrests), 0) as unknown_nationality_share,
        max(data_origin) as data_origin
    from coverage
    group by period, force_code
),

current_returns as (
    select period, force_code, {{ dbt.listagg('return_id', "', '", 'order by return_id') }} as return_ids
    from (select distinct period, force_code, return_id from coverage) as distinct_returns
    group by period, force_code
),

superseded as (
    select
        {{ financial_year('period_start') }} as period,
        force_code,
        {{ dbt.listagg('return_id', "', '", 'order by return_id') }} as superseded_return_ids
    from returns
    where is_superseded
    group by 1, 2
),

final as (
    select
        periods.period,
        forces.force_code,
        forces.force_name,
        forces.region_name as region,
        covered.force_code is not null as has_return,
        current_returns.return_ids,
        superseded.superseded_return_ids,
        cast(coalesce(covered.months_covered, 0) as integer) as months_covered,
        covered.first_month,
        covered.last_month,
        cast(coalesce(covered.cells, 0) as bigint) as cells,
        cast(coalesce(covered.suppressed_cells, 0) as integer) as suppressed_cells,
        covered.unknown_nationality_share,
        covered.data_origin
    from periods
    cross join forces
    left join covered
        on periods.period = covered.period and forces.force_code = covered.force_code
    left join current_returns
        on periods.period = current_returns.period and forces.force_code = current_returns.force_code
    left join superseded
        on periods.period = superseded.period and forces.force_code = superseded.force_code
)

select * from final
