{# Which returns declare each force-month or force-year (`grain`: the columns that name it, e.g.
   ['force_code', 'month']): two CTEs for a model's with-list, the one rule force_month_coverage
   and return_coverage list them by.
     current_returns      return_ids: the current returns declaring it, ', '-separated in order
     quarantine_reasons   quarantined_folders (', ') and quarantine_reason ('; '): the quarantined
                          returns declaring it and their errors, in folder order #}
{% macro declaring_returns(grain) -%}
{%- set columns = grain | join(', ') -%}
current_returns as (
    select {{ columns }}, {{ dbt.listagg('return_id', "', '", 'order by return_id') }} as return_ids
    from (select distinct {{ columns }}, return_id from {{ ref('int_return_months') }}) as distinct_returns
    group by {{ columns }}
),

quarantine_reasons as (
    select
        {{ columns }},
        {{ dbt.listagg('landing_folder', "', '", 'order by landing_folder') }} as quarantined_folders,
        {{ dbt.listagg('error', "'; '", 'order by landing_folder') }} as quarantine_reason
    from (
        select distinct {{ columns }}, landing_folder, error
        from {{ ref('int_quarantined_return_months') }}
    ) as distinct_folders
    group by {{ columns }}
)
{%- endmacro %}
