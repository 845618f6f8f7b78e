{# Use the folder's schema name as is (staging, intermediate, marts, reference), not <target>_<name>:
   analysts query marts.rates_by_region_offence, whatever target built it. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
