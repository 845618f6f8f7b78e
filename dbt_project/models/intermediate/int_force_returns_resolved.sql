-- Each return with its force resolved to an ONS code (the manifest may give the code or a name)
-- and whether a later, corrected return supersedes it.
with returns as (
    select * from {{ ref('stg_force_returns__returns') }}
),

supersessions as (
    select * from {{ ref('stg_force_returns__supersessions') }}
),

forces as (
    select * from {{ ref('ref_forces') }}
),

resolved as (
    select
        returns.*,
        forces.force_code
    from returns
    left join forces
        on {{ names_force('returns.force_raw', 'forces') }}
),

final as (
    select
        resolved.*,
        exists (
            select 1 from supersessions
            where supersessions.supersedes_return_id = resolved.return_id
        ) as is_superseded
    from resolved
)

select * from final
