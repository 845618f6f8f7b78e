{# Every value of the column matches `pattern` whole (a regular expression, RE2 syntax as DuckDB's
   regexp_full_match reads it), such as the form of an ONS code; nulls are not tested (pair with
   not_null_columns). Fails with one row per value that does not match, and how many rows hold it. #}
{% test matches_regex(model, column_name, pattern) %}
select {{ column_name }} as value, count(*) as rows_with_value
from {{ model }}
where {{ column_name }} is not null
  and not regexp_full_match({{ column_name }}, '{{ pattern | replace("'", "''") }}')
group by {{ column_name }}
{% endtest %}
