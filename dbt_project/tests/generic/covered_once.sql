{# The column counts what covers each row's key (returns_covering: the current returns covering a
   force-month); more than one would count the key twice. Fails with one row per key covered any
   other number of times: the key, the count and, from `listed_in` (a relation with the key
   columns and `listed`), what covers it, so the failure names them. #}
{% test covered_once(model, column_name, key, listed_in, listed) %}
with covered as (
    select {{ key | join(', ') }}, {{ column_name }}
    from {{ model }}
    where {{ column_name }} is distinct from 1
),

covering as (
    select distinct {{ key | join(', ') }}, {{ listed }}
    from {{ listed_in }}
)

select
    {%- for column in key %}
    covered.{{ column }},
    {%- endfor %}
    covered.{{ column_name }},
    list(covering.{{ listed }} order by covering.{{ listed }}) as covered_by
from covered
left join covering
    on {% for column in key %}covering.{{ column }} is not distinct from covered.{{ column }}{{ " and " if not loop.last }}{% endfor %}
group by all
{% endtest %}
