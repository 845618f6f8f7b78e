{# The combination of columns identifies a row: portable stand-in for dbt_utils'
   unique_combination_of_columns, so the project needs no package download. #}
{% test unique_key(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
