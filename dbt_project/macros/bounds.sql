{# Suppression bounds and point estimates (see the README's methodology).
   A suppressed cell is a count somewhere in its file's declared range, never zero. A measure's
   bounds are its least and greatest values over every allocation of the suppressed cells behind
   it; its point estimate evaluates it with each suppressed cell at the middle of its range, and
   exists only where at least one cell behind it was given as a number. #}

{# 'exact' (no suppressed cell), 'midpoint' (some), null (every cell suppressed: bounds only). #}
{% macro estimate_method(suppressed_cells, cells) -%}
    case
        when {{ suppressed_cells }} = 0 then 'exact'
        when {{ suppressed_cells }} < {{ cells }} then 'midpoint'
    end
{%- endmacro %}

{# The count at the middle of its bounds, where a point estimate exists; else null. #}
{% macro midpoint(lower, upper, suppressed_cells, cells) -%}
    case when {{ suppressed_cells }} = 0 or {{ suppressed_cells }} < {{ cells }}
        then ({{ lower }} + {{ upper }}) / 2.0 end
{%- endmacro %}

{# Bounds of the share g / t of a part g within its total t, the part's cells being among the
   total's: least with g at its lowest and the rest (t - g) at its highest, greatest the other
   way round. Null when the total can be zero. #}
{% macro share_lower(g_lower, g_upper, t_lower, t_upper) -%}
    cast(({{ g_lower }}) as double) / nullif(({{ g_lower }}) + ({{ t_upper }}) - ({{ g_upper }}), 0)
{%- endmacro %}

{% macro share_upper(g_lower, g_upper, t_lower, t_upper) -%}
    cast(({{ g_upper }}) as double) / nullif(({{ g_upper }}) + ({{ t_lower }}) - ({{ g_lower }}), 0)
{%- endmacro %}

{# Months 0..999 after a start month: a portable number spine (no recursive CTE, no package). #}
{% macro month_offsets() -%}
    select units.n + 10 * tens.n + 100 * hundreds.n as n
    from {{ digits() }} as units
    cross join {{ digits() }} as tens
    cross join {{ digits() }} as hundreds
{%- endmacro %}

{% macro digits() -%}
    (select 0 as n union all select 1 union all select 2 union all select 3 union all select 4
     union all select 5 union all select 6 union all select 7 union all select 8 union all select 9)
{%- endmacro %}
