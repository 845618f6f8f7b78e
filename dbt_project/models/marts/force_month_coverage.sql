-- Every territorial force for every month of every financial year in the warehouse: received (a
-- current return declares the month), quarantined (only a return that could not be loaded
-- declares it) or missing, with the cells behind it. quarantine_reason is given whenever a
-- quarantined return declares the month, also when an earlier good load still covers it.
with coverage as (
    select * from {{ ref('int_force_month_coverage') }}
),

quarantined as (
    select * from {{ ref('int_quarantined_return_months') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

periods as (
    select period from coverage
    union
    select period from quarantined
),

months as (
    select
        periods.period,
        cast({{ dbt.dateadd('month', 'offsets.n', "cast(left(periods.period, 4) || '-04-01' as date)") }} as date) as month
    from periods
    cross join ({{ month_offsets() }}) as offsets
    where offsets.n < 12
),

{{ declaring_returns(['force_code', 'month']) }},

final as (
    select
        months.period,
        months.month,
        forces.force_code,
        forces.force_name,
        forces.region_name as region,
        case
            when coverage.force_code is not null then 'received'
            when quarantine_reasons.force_code is not null then 'quarantined'
            else 'missing'
        end as status,
        current_returns.return_ids,
        quarantine_reasons.quarantined_folders,
        quarantine_reasons.quarantine_reason,
        cast(coalesce(coverage.cells, 0) as bigint) as cells,
        cast(coalesce(coverage.suppressed_cells, 0) as integer) as suppressed_cells,
        coverage.data_origin
    from months
    cross join forces
    left join coverage
        on months.month = coverage.month and forces.force_code = coverage.force_code
    left join current_returns
        on months.month = current_returns.month and forces.force_code = current_returns.force_code
    left join quarantine_reasons
        on months.month = quarantine_reasons.month and forces.force_code = quarantine_reasons.force_code
)

select * from final
