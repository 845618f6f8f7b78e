{# dbt's hook for a test's `where` config (docs: resource-configs/where, "Custom logic"), with one
   placeholder added: `__unchecked_returns__` limits a test to the cells of returns whose cells have
   not passed the checks yet (orchestration/checked_returns.py) when a refresh sets
   WAREHOUSE_CHECK_SCOPE=unchecked. Run by hand, dbt tests every row. #}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__unchecked_returns__' in where -%}
        {%- if env_var('WAREHOUSE_CHECK_SCOPE', 'all') == 'unchecked' -%}
            {%- set where = where | replace('__unchecked_returns__',
                'return_id in (select return_id from audit.unchecked_returns)') -%}
        {%- else -%}
            {%- set where = where | replace('__unchecked_returns__', 'true') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
