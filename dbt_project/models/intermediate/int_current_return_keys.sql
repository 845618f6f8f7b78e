-- Each current (not superseded) return with the key its classified cells were built from: its
-- content hash, resolved force and origin, and the dbt project's fingerprint (passed by a
-- refresh in --vars; 'unset' when dbt runs by hand, which then needs --full-refresh after a change).
with returns as (
    select * from {{ ref('int_force_returns_resolved') }}
    where not is_superseded
),

final as (
    select
        return_id,
        force_code,
        data_origin,
        md5(concat_ws(
            '|',
            content_sha256,
            coalesce(force_code, '?'),
            data_origin,
            '{{ var("project_fingerprint", "unset") }}'
        )) as input_key
    from returns
)

select * from final
