{# Rate, its bounds and exact Poisson interval, share and unknown-nationality share (each with its
   bounds) for a row of rate inputs joined to int_poisson_limits twice: as `limits_lower` on the
   row's arrests_lower and as `limits_upper` on its arrests_upper. `partition` lists the columns
   that identify one offence group in one area and period, across its nationality groups.
   Rates are per 100,000 person-years. See bounds.sql for bounds and point estimates. #}
{% macro rate_measures(partition) -%}
    {%- set over = 'over (partition by ' ~ (partition | join(', ')) ~ ')' -%}
    {%- set total_lower = "max(case when inputs.nationality_group = 'all' then inputs.arrests_lower end) " ~ over -%}
    {%- set total_upper = "max(case when inputs.nationality_group = 'all' then inputs.arrests_upper end) " ~ over -%}
    {%- set total_mid = "max(case when inputs.nationality_group = 'all' then (inputs.arrests_lower + inputs.arrests_upper) / 2.0 end) " ~ over -%}
    {%- set unknown_lower = "max(case when inputs.nationality_group = 'unknown' then inputs.arrests_lower end) " ~ over -%}
    {%- set unknown_upper = "max(case when inputs.nationality_group = 'unknown' then inputs.arrests_upper end) " ~ over -%}
    {%- set unknown_mid = "max(case when inputs.nationality_group = 'unknown' then " ~ midpoint('inputs.arrests_lower', 'inputs.arrests_upper', 'inputs.suppressed_cells', 'inputs.cells') ~ " end) " ~ over -%}
    {%- set mid = midpoint('inputs.arrests_lower', 'inputs.arrests_upper', 'inputs.suppressed_cells', 'inputs.cells') -%}
    inputs.person_years,
    'person_years' as denominator_method,
    {{ estimate_method('inputs.suppressed_cells', 'inputs.cells') }} as estimate_method,
    {{ mid }} * 100000 / inputs.person_years as rate_per_100k,
    cast(inputs.arrests_lower as double) * 100000 / inputs.person_years as rate_per_100k_lower,
    cast(inputs.arrests_upper as double) * 100000 / inputs.person_years as rate_per_100k_upper,
    limits_lower.count_ci_lower * 100000 / inputs.person_years as rate_ci_lower,
    limits_upper.count_ci_upper * 100000 / inputs.person_years as rate_ci_upper,
    {{ mid }} / nullif({{ total_mid }}, 0) as share_of_arrests,
    {{ share_lower('inputs.arrests_lower', 'inputs.arrests_upper', total_lower, total_upper) }} as share_of_arrests_lower,
    {{ share_upper('inputs.arrests_lower', 'inputs.arrests_upper', total_lower, total_upper) }} as share_of_arrests_upper,
    {{ unknown_mid }} / nullif({{ total_mid }}, 0) as unknown_nationality_share,
    {{ share_lower(unknown_lower, unknown_upper, total_lower, total_upper) }} as unknown_nationality_share_lower,
    {{ share_upper(unknown_lower, unknown_upper, total_lower, total_upper) }} as unknown_nationality_share_upper
{%- endmacro %}
