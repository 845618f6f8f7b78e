{# UK financial year (April to March) of a date, as '2023-24'. Portable SQL. #}
{% macro financial_year(date_column) -%}
    case
        when extract(month from {{ date_column }}) >= 4
            then cast(extract(year from {{ date_column }}) as varchar) || '-'
                || right(cast(extract(year from {{ date_column }}) + 1 as varchar), 2)
        else cast(extract(year from {{ date_column }}) - 1 as varchar) || '-'
            || right(cast(extract(year from {{ date_column }}) as varchar), 2)
    end
{%- endmacro %}
