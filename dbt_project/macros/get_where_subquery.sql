{# dbt's hook for a test's `where` config (docs: resource-configs/where, "Custom logic"), with one
   placeholder added: `__unchecked_returns__` becomes the filter a refresh passes in
   WAREHOUSE_CHECK_SCOPE (the cells of returns that have not passed the checks yet:
   orchestration/checked_returns.py). Run by hand, dbt tests every row. #}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__unchecked_returns__' in where -%}
        {%- set where = where | replace('__unchecked_returns__', env_var('WAREHOUSE_CHECK_SCOPE', 'true')) -%}
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
