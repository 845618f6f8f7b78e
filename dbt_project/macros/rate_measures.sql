{# Rate, exact Poisson interval, share and unknown-nationality share for a row of rate inputs joined
   to int_poisson_limits as `limits`. `partition` lists the columns that identify one offence group
   in one area and period, across its nationality groups. #}
{% macro rate_measures(partition) -%}
    cast(inputs.arrests as double) * 100000 / inputs.population as rate_per_100k,
    limits.count_ci_lower * 100000 / inputs.population as rate_ci_lower,
    limits.count_ci_upper * 100000 / inputs.population as rate_ci_upper,
    cast(inputs.arrests as double) / nullif(sum(
        case when inputs.nationality_group = 'all' then inputs.arrests end
    ) over (partition by {{ partition | join(', ') }}), 0) as share_of_arrests,
    cast(sum(case when inputs.nationality_group = 'unknown' then inputs.arrests else 0 end)
        over (partition by {{ partition | join(', ') }}) as double)
        / nullif(sum(case when inputs.nationality_group = 'all' then inputs.arrests end)
        over (partition by {{ partition | join(', ') }}), 0) as unknown_nationality_share
{%- endmacro %}
