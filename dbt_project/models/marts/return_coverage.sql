-- Coverage of every territorial force for every financial year in the warehouse: received (a
-- current return declares at least one month), quarantined (only returns that could not be loaded
-- declare its months, with their errors) or missing; which current return(s) cover it, which
-- months, how many cells, suppressed cells, unknown-nationality share and which earlier returns
-- were superseded.
with force_months as (
    select * from {{ ref('force_month_coverage') }}
),

coverage as (
    select * from {{ ref('int_force_month_coverage') }}
),

returns as (
    select * from {{ ref('int_force_returns_resolved') }}
),

by_force as (
    select
        period,
        force_code,
        max(force_name) as force_name,
        max(region) as region,
        sum(case when status = 'received' then 1 else 0 end) as months_covered,
        sum(case when status = 'quarantined' then 1 else 0 end) as months_quarantined,
        min(case when status = 'received' then month end) as first_month,
        max(case when status = 'received' then month end) as last_month,
        sum(cells) as cells,
        sum(suppressed_cells) as suppressed_cells,
        max(data_origin) as data_origin
    from force_months
    group by period, force_code
),

unknown as (
    select
        period,
        force_code,
        sum(unknown_arrests_lower) as unknown_lower,
        sum(unknown_arrests_upper) as unknown_upper,
        sum(arrests_lower) as all_lower,
        sum(arrests_upper) as all_upper
    from coverage
    group by period, force_code
),

{{ declaring_returns(['period', 'force_code']) }},

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
        by_force.period,
        by_force.force_code,
        by_force.force_name,
        by_force.region,
        case
            when by_force.months_covered > 0 then 'received'
            when by_force.months_quarantined > 0 then 'quarantined'
            else 'missing'
        end as status,
        by_force.months_covered > 0 as has_return,
        current_returns.return_ids,
        quarantine_reasons.quarantine_reason,
        superseded.superseded_return_ids,
        cast(by_force.months_covered as integer) as months_covered,
        by_force.first_month,
        by_force.last_month,
        cast(by_force.cells as bigint) as cells,
        cast(by_force.suppressed_cells as integer) as suppressed_cells,
        ((unknown.unknown_lower + unknown.unknown_upper) / 2.0)
            / nullif((unknown.all_lower + unknown.all_upper) / 2.0, 0) as unknown_nationality_share,
        {{ share_lower('unknown.unknown_lower', 'unknown.unknown_upper', 'unknown.all_lower', 'unknown.all_upper') }}
            as unknown_nationality_share_lower,
        {{ share_upper('unknown.unknown_lower', 'unknown.unknown_upper', 'unknown.all_lower', 'unknown.all_upper') }}
            as unknown_nationality_share_upper,
        by_force.data_origin
    from by_force
    left join unknown
        on by_force.period = unknown.period and by_force.force_code = unknown.force_code
    left join current_returns
        on by_force.period = current_returns.period and by_force.force_code = current_returns.force_code
    left join quarantine_reasons
        on by_force.period = quarantine_reasons.period and by_force.force_code = quarantine_reasons.force_code
    left join superseded
        on by_force.period = superseded.period and by_force.force_code = superseded.force_code
)

select * from final
