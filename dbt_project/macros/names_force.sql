{# A manifest's `force` names a territorial force by its ONS code, its name or its police force
   area's name, in any case. #}
{% macro names_force(force_raw, forces) -%}
    (upper({{ force_raw }}) = {{ forces }}.force_code
        or lower({{ force_raw }}) = lower({{ forces }}.force_name)
        or lower({{ force_raw }}) = lower({{ forces }}.pfa_name))
{%- endmacro %}

{# Every month from `start` to `end_month` (dates, first of the month), as rows of `relation`
   with a `month` column added: the months a return declares it covers. #}
{% macro declared_months(relation, start, end_month) -%}
    select
        {{ relation }}.*,
        cast({{ dbt.dateadd('month', 'offsets.n', start) }} as date) as month
    from {{ relation }}
    inner join ({{ month_offsets() }}) as offsets
        on offsets.n <= {{ dbt.datediff(start, end_month, 'month') }}
{%- endmacro %}
