{# Every listed column is filled in on every row. One scan per model instead of dbt's one query per
   column: each dbt test is a dbt node and a Dagster asset check event, a fixed cost that dominated
   these checks on small tables. Fails with one row per column that has nulls, and how many; with
   `identified_by` (columns naming a row, such as return_id), one row per column and value of
   those columns instead, so the failure says which rows to fix. #}
{% test not_null_columns(model, columns, identified_by=none) %}
{%- if identified_by %}
with nulls as (
    select
        {%- for key in identified_by %}
        {{ adapter.quote(key) }},
        {%- endfor %}
        unnest([
            {%- for column in columns %}
            case when {{ adapter.quote(column) }} is null then '{{ column }}' end
            {{- "," if not loop.last }}
            {%- endfor %}
        ]) as column_name
    from {{ model }}
    where {% for column in columns %}{{ adapter.quote(column) }} is null{{ " or " if not loop.last }}{% endfor %}
)
select column_name,
    {%- for key in identified_by %}
    {{ adapter.quote(key) }},
    {%- endfor %}
    count(*) as null_rows
from nulls
where column_name is not null
group by all
{%- else %}
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
{%- endif %}
{% endtest %}
