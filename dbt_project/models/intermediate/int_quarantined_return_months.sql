-- Every force-month a quarantined return declares, where its manifest could be read: the force
-- sent something for that month, so coverage must not call the month missing.
with quarantined as (
    select
        quarantined.landing_folder,
        quarantined.error,
        quarantined.period_start,
        quarantined.period_end_month,
        forces.force_code
    from {{ ref('stg_force_returns__quarantined') }} as quarantined
    inner join {{ ref('ref_forces') }} as forces
        on {{ names_force('quarantined.force_raw', 'forces') }}
    where quarantined.period_start is not null
        and quarantined.period_end_month >= quarantined.period_start
),

months as (
    {{ declared_months('quarantined', 'quarantined.period_start', 'quarantined.period_end_month') }}
),

final as (
    select
        force_code,
        month,
        {{ financial_year('month') }} as period,
        landing_folder,
        error
    from months
)

select * from final
