with source as (
    select * from {{ source('raw', 'return_supersessions') }}
),

final as (
    select
        return_id,
        supersedes_return_id
    from source
)

select * from final
