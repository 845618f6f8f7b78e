{# Standard normal quantile for a two-sided 95% interval. #}
{% macro z95() %}1.959963984540054{% endmacro %}

{# Wilson score 95% interval for a proportion k / n (bounded in [0, 1], sound for small counts). #}
{% macro wilson_lower(k, n) -%}
    case when {{ n }} > 0 then
        ((cast({{ k }} as double) / {{ n }}) + {{ z95() }} * {{ z95() }} / (2.0 * {{ n }})
          - {{ z95() }} * sqrt((cast({{ k }} as double) / {{ n }}) * (1 - cast({{ k }} as double) / {{ n }}) / {{ n }}
                               + {{ z95() }} * {{ z95() }} / (4.0 * {{ n }} * {{ n }})))
        / (1 + {{ z95() }} * {{ z95() }} / {{ n }})
    end
{%- endmacro %}

{% macro wilson_upper(k, n) -%}
    case when {{ n }} > 0 then
        ((cast({{ k }} as double) / {{ n }}) + {{ z95() }} * {{ z95() }} / (2.0 * {{ n }})
          + {{ z95() }} * sqrt((cast({{ k }} as double) / {{ n }}) * (1 - cast({{ k }} as double) / {{ n }}) / {{ n }}
                               + {{ z95() }} * {{ z95() }} / (4.0 * {{ n }} * {{ n }})))
        / (1 + {{ z95() }} * {{ z95() }} / {{ n }})
    end
{%- endmacro %}
