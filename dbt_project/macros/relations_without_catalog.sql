{# Relations named without their catalog: DuckDB names a file's catalog after the file, and a view
   that names it ("warehouse"."staging"...) breaks when the published file is copied, renamed or
   attached under another alias. Unqualified, a view's relations resolve in its own catalog. #}
{% macro ref() -%}
    {%- do return(builtins.ref(*varargs, **kwargs).include(database=false)) -%}
{%- endmacro %}

{% macro source() -%}
    {%- do return(builtins.source(*varargs, **kwargs).include(database=false)) -%}
{%- endmacro %}
