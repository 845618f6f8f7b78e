-- Return folders that could not be loaded, with the error; force and period where the manifest
-- itself could be read (null when it could not), so coverage can say "received, quarantined".
with source as (
    select * from {{ source('raw', 'quarantined_returns') }}
),

final as (
    select
        landing_folder,
        return_id,
        force as force_raw,
        cast(period_start || '-01' as date) as period_start,
        cast(period_end || '-01' as date) as period_end_month,
        error,
        quarantined_at
    from source
)

select * from final
