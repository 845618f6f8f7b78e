-- Every month each current return declares it covers (its manifest's period, start to end; the
-- ingest refuses a cell outside it). Months covered come from what a force says it answered for,
-- not from which months happen to have cells: a month of zero arrests keeps its population.
with returns as (
    select return_id, force_code, data_origin, period_start, period_end_month
    from {{ ref('int_force_returns_resolved') }}
    where not is_superseded
),

months as (
    {{ declared_months('returns', 'returns.period_start', 'returns.period_end_month') }}
),

final as (
    select
        return_id,
        force_code,
        month,
        {{ financial_year('month') }} as period,
        data_origin
    from months
)

select * from final
