{# dbt's hook for a test's `where` config (docs: resource-configs/where, "Custom logic"), with one
   placeholder added: `__unchecked_returns__` becomes cell_check_scope(), the filter on the cells
   of returns that have not passed the checks yet. #}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__unchecked_returns__' in where -%}
        {%- set where = where | replace('__unchecked_returns__', cell_check_scope()) -%}
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
