-- Per period: forces with a return out of all forces, and force-months covered out of possible.
select period,
       count(*) filter (where has_return) as forces_with_return,
       count(*) as forces_total,
       cast(sum(months_covered) as integer) as force_months_covered,
       count(*) * 12 as force_months_possible
from marts.return_coverage
group by period
order by period
