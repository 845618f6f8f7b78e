{# Every listed column is filled in on every row. One scan per model instead of dbt's one query per
   column: each dbt test is a dbt node and a Dagster asset check event, a fixed cost that dominated
   these checks on small tables. Fails with one row per column that has nulls, and how many. #}
{% test not_null_columns(model, columns) %}
with null_counts as (
    select
    {%- for column in columns %}
        count(*) filter (where {{ adapter.quote(column) }} is null) as {{ adapter.quote(column) }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
select column_name, null_rows
from (unpivot null_counts on columns(*) into name column_name value null_rows)
where null_rows > 0
{% endtest %}
