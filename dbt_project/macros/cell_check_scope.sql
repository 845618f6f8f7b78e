{# The cells the row tests of the cells see. A refresh passes --vars scope_cell_checks: true after
   writing audit.cell_check_filter (orchestration/lib/checked_returns.py: a constant list of the
   return ids not checked yet, or `true`); dbt run by hand tests every row. Read at run time, not
   parse time, so the vars (and dbt's partial parsing) stay the same from one refresh to the next. #}
{% macro cell_check_scope() -%}
    {%- if execute and var('scope_cell_checks', false) -%}
        {%- set found = run_query('select filter from audit.cell_check_filter') -%}
        {%- do return(found.columns[0].values()[0]) -%}
    {%- endif -%}
    {%- do return('true') -%}
{%- endmacro %}
