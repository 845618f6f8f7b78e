with source as (
    select * from {{ source('raw', 'force_returns') }}
),

final as (
    select
        return_id,
        landing_folder,
        force as force_raw,
        reference,
        cast(received as date) as received_on,
        cast(period_start || '-01' as date) as period_start,
        cast(period_end || '-01' as date) as period_end_month,
        data_origin,
        notes,
        content_sha256,
        loaded_at
    from source
)

select * from final
