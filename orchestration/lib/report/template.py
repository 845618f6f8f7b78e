"""The report's single-page Jinja2 template. Autoescaping is on: every value is escaped unless it
is plotly's own output (charts, plotly.js) marked safe in render.py."""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Arrests by nationality, England and Wales, {{ period }}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1d;
         margin: 0; background: #fafafa; line-height: 1.45; }
  main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; background: #fff; }
  header { padding: 20px 0 8px; border-bottom: 1px solid #ddd; }
  h1 { font-size: 1.7rem; margin: 0 0 4px; }
  h2 { font-size: 1.25rem; margin: 32px 0 6px; padding-top: 8px; border-top: 1px solid #eee; }
  .meta { color: #555; font-size: .9rem; margin: 0; }
  .banner { background: #b00020; color: #fff; padding: 14px 18px; margin: 16px 0 0;
            border-radius: 4px; font-size: 1.05rem; }
  .banner strong { letter-spacing: .04em; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 14px;
           margin-top: 12px; }
  .card { border: 1px solid #d6d6d6; border-radius: 6px; padding: 14px 16px; background: #fff; }
  .card h3 { font-size: .98rem; margin: 0 0 8px; font-weight: 600; }
  .value { font-size: 2.1rem; font-weight: 700; line-height: 1.1; }
  .ci { color: #444; font-size: .95rem; margin-bottom: 4px; }
  .estimate { font-size: .84rem; color: #444; margin: 2px 0 6px; }
  .badge.estimate-kind { background: #e8e8e8; color: #333; font-weight: 600; }
  .card dl { display: grid; grid-template-columns: 10.5em 1fr; gap: 2px 10px; margin: 8px 0;
             font-size: .88rem; }
  .card dt { color: #666; }
  .card dd { margin: 0; }
  .caveat { font-size: .86rem; background: #f4f1e8; border-left: 3px solid #c9a227;
            padding: 6px 10px; margin: 8px 0 0; }
  .badge { display: inline-block; font-size: .72rem; font-weight: 700; padding: 1px 6px;
           border-radius: 3px; margin-left: 6px; vertical-align: middle; }
  .badge.synthetic { background: #b00020; color: #fff; }
  .badge.partial { background: #f2c14e; color: #222; }
  .note { font-size: .9rem; color: #333; background: #f6f6f6; padding: 8px 12px;
          border-radius: 4px; margin: 6px 0 0; }
  .tiles-wrap { display: flex; gap: 28px; align-items: flex-start; flex-wrap: wrap; }
  .tiles { display: grid; grid-template-columns: repeat({{ grid_cols }}, 98px);
           grid-template-rows: repeat({{ grid_rows }}, 46px); gap: 4px; margin: 10px 0; }
  .tile { border-radius: 4px; font-size: .68rem; padding: 3px 4px; overflow: hidden;
          line-height: 1.15; border: 1px solid rgba(0,0,0,.15); }
  .tile b { display: block; font-size: .7rem; white-space: nowrap; overflow: hidden;
            text-overflow: ellipsis; }
  .tile.full { background: #1b7f5f; color: #fff; }
  .tile.partial { background: #f2c14e; color: #222; }
  .tile.none { background: #e3e3e3; color: #555; }
  .tile.quarantined, td.m.quarantined, .key.quarantined { background: #fff; color: #8a1c1c;
    border: 2px dashed #b3261e; }
  .tile.flagged { outline: 2px dashed #b3261e; outline-offset: -4px; }
  .tile.flagged b::after { content: " !"; }
  .tile.synthetic { background-image: repeating-linear-gradient(135deg, transparent 0 6px,
                    rgba(255,255,255,.22) 6px 9px); }
  .legend { font-size: .88rem; max-width: 270px; }
  .table-wrap { overflow-x: auto; }
  .legend span.key { display: inline-block; width: 14px; height: 14px; border-radius: 3px;
                     vertical-align: -2px; margin-right: 6px; border: 1px solid rgba(0,0,0,.15); }
  table.coverage { border-collapse: collapse; font-size: .8rem; margin-top: 10px; width: 100%; }
  table.coverage th, table.coverage td { border: 1px solid #e2e2e2; padding: 3px 5px; }
  table.coverage th { background: #f2f2f2; font-weight: 600; position: sticky; top: 0; }
  table.coverage td.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.m { text-align: center; width: 34px; font-variant-numeric: tabular-nums; }
  td.m.covered { background: #1b7f5f; color: #fff; }
  td.m.quarantined { font-weight: 700; }
  td.m.missing { background: #fff; color: #bbb; }
  tr.missing td.name { color: #888; }
  td.status { min-width: 13em; }
  td.status.quarantined { color: #8a1c1c; }
  table.figures { border-collapse: collapse; font-size: .84rem; margin-top: 10px; width: 100%; }
  table.figures th, table.figures td { border: 1px solid #e2e2e2; padding: 3px 6px; }
  table.figures th { background: #f2f2f2; font-weight: 600; text-align: left; }
  table.figures td:nth-child(n+3) { text-align: right; font-variant-numeric: tabular-nums;
                                    white-space: nowrap; }
  table.figures td:nth-child(4) { text-align: left; }
  details { margin-top: 8px; }
  .claim { border: 1px solid #d6d6d6; border-radius: 6px; padding: 10px 14px; margin-top: 12px; }
  .claim h3 { font-size: .98rem; margin: 0 0 6px; font-weight: 600; }
  code.command { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .8rem;
                 background: #f6f6f6; padding: 2px 6px; border-radius: 3px; word-break: break-all; }
  table.claims { border-collapse: collapse; font-size: .8rem; margin-top: 8px; width: 100%; }
  table.claims th, table.claims td { border: 1px solid #e2e2e2; padding: 3px 5px; vertical-align: top; }
  table.claims th { background: #f2f2f2; font-weight: 600; text-align: left; }
  table.claims td.num { text-align: right; font-variant-numeric: tabular-nums; }
  table.claims small { display: block; color: #555; font-size: .72rem; white-space: nowrap; }
  table.claims td.forces-missing { font-size: .74rem; min-width: 10em; }
  table.claims details { margin: 0; }
  .formula { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .88rem;
             background: #f6f6f6; padding: 6px 10px; border-radius: 4px; display: block;
             margin: 4px 0; white-space: pre-wrap; }
  ul.caveats li { margin-bottom: 6px; }
  footer { font-size: .85rem; color: #555; margin-top: 32px; border-top: 1px solid #ddd;
           padding-top: 10px; }
</style>
<script>{{ plotly_js }}</script>
</head>
<body>
<main>
<header>
  <h1>Arrests by nationality, England and Wales</h1>
  <p class="meta">Financial year {{ period }}{% if period_span %} ({{ period_span }}){% endif %}
    · {{ forces_with_return }} of {{ forces_total }} forces sent a usable return{% if forces_quarantined %};
    {{ forces_quarantined }} more sent a return that was received but quarantined{% endif %}
    {% if published_at %}· warehouse published {{ published_at }}{% endif %}
    · report generated {{ generated_at }}</p>
  {% if other_periods %}<p class="meta">Other periods in the warehouse: {{ other_periods | join(", ") }}
    (this report shows the latest).</p>{% endif %}
  {% if synthetic_rows %}
  <div class="banner" id="synthetic-banner" role="alert"><strong>SYNTHETIC DATA.</strong>
    {{ synthetic_rows }} row{{ "s" if synthetic_rows != 1 }} behind this report
    {{ "are" if synthetic_rows != 1 else "is" }} generated test data, not police data
    (<code>data_origin = 'synthetic'</code>). Figures marked <span class="badge synthetic">SYNTHETIC</span>
    must not be quoted as statistics.</div>
  {% endif %}
</header>

<section id="headlines">
  <h2>Headline figures</h2>
  <p class="meta">Each figure with its feasible range under suppression, its 95% interval, how
    much of the country it stands on, and its caveat. A suppressed cell is a count within a range
    (never 0): the big number is exact, a midpoint estimate, or, when every cell behind it is
    suppressed, only a range.</p>
  <div class="cards">
  {% for card in cards %}
    <article class="card" id="figure-{{ card.figure_id }}">
      <h3>{{ card.description }}{% if card.synthetic %}<span class="badge synthetic">SYNTHETIC</span>{% endif %}{% if card.partial %}<span class="badge partial">PARTIAL COVERAGE</span>{% endif %}</h3>
      <div class="value">{{ card.value }}<span class="badge estimate-kind">{{ card.estimate }}</span></div>
      <p class="estimate">{{ card.estimate_note }}</p>
      <div class="ci">{{ card.interval }}</div>
      <dl>
        <dt>Range under suppression</dt><dd class="bounds">{{ card.bounds }}</dd>
        <dt>Range incl. unknown nationality</dt><dd class="bounds-incl-unknown"
          title="Unknown-nationality arrests allocated to either group">{{ card.bounds_incl_unknown }}</dd>
        <dt>Counts</dt><dd>{{ card.counts }}</dd>
        <dt>Forces</dt><dd>{{ card.forces }}</dd>
        <dt>Population</dt><dd>{{ card.population }}</dd>
        <dt>Months</dt><dd>{{ card.months }}</dd>
        <dt>Suppressed</dt><dd>{{ card.suppressed }}</dd>
        <dt>Unknown nationality</dt><dd>{{ card.unknown }}</dd>
      </dl>
      {% if card.caveat %}<p class="caveat">{{ card.caveat }}</p>{% endif %}
    </article>
  {% else %}
    <p>No headline figures for this period.</p>
  {% endfor %}
  </div>
</section>

{% if claims is not none %}
<section id="claims">
  <h2>Claims and the figures behind them</h2>
  <p class="meta">Each claim of the figure list {{ figures_name }}, answered again at every
    refresh: arrests exact or as their range under suppression (a suppressed cell is a count
    within a range, never 0), rates per 100,000 person-years and shares with their 95% intervals,
    the non-British vs British rate ratio where asked, and beside them the forces and months each
    figure stands on. The command under a claim gives the same figure, with every column
    (<code>--format json</code>) or its source cells (<code>--cells</code>).</p>
  {% for c in claims %}
  <article class="claim" id="claim-{{ c.number }}">
    <h3>{{ c.text }}{% if c.synthetic %}<span class="badge synthetic">SYNTHETIC</span>{% endif %}{% if c.partial %}<span class="badge partial">PARTIAL COVERAGE</span>{% endif %}</h3>
    <code class="command">{{ c.command }}</code>
    {% if c.problem %}
    <p class="caveat cannot">{{ cannot }}: {{ c.problem }}</p>
    {% else %}
    <div class="table-wrap">
    <table class="claims">
      <thead><tr><th>Area</th><th>Nationality</th><th>Arrests</th>
        <th>Rate per 100,000 person-years</th><th>Share of the offence's arrests</th>
        {% if c.show_ratio %}<th>Rate ratio, non-British / British</th>{% endif %}
        <th>Forces reporting</th><th>Forces missing</th><th>Months covered</th>
        <th>Unknown nationality</th><th>Complete</th><th>Data</th><th>Source cells</th></tr></thead>
      <tbody>
      {% for r in c.rows %}
        <tr><td>{{ r.area }}</td><td>{{ r.nationality }}</td>
          {% for name, value, notes in [("arrests", r.arrests, r.arrests_notes), ("rate", r.rate, r.rate_notes), ("share", r.share, r.share_notes), ("ratio", r.ratio, r.ratio_notes)] if name != "ratio" or c.show_ratio %}
          <td class="num {{ name }}">{{ value }}{% for note in notes %}<small>{{ note }}</small>{% endfor %}</td>
          {% endfor %}
          <td class="num forces">{{ r.forces }}</td>
          <td class="forces-missing">{% if r.forces_missing | length > 6 %}<details><summary>{{ r.forces_missing | length }} forces</summary>{{ r.forces_missing | join(", ") }}</details>{% else %}{{ r.forces_missing | join(", ") or "none" }}{% endif %}</td>
          <td class="num months">{{ r.months }}</td><td class="num unknown">{{ r.unknown }}</td>
          <td class="complete">{{ "yes" if r.complete else "no" }}</td>
          <td class="origin">{% if r.synthetic %}<span class="badge synthetic">SYNTHETIC</span>{% else %}{{ r.origin }}{% endif %}</td>
          <td class="num cells">{{ r.cells }}</td></tr>
      {% endfor %}
      </tbody>
    </table>
    </div>
    {% endif %}
  </article>
  {% else %}
  <p>The figure list {{ figures_name }} has no claims.</p>
  {% endfor %}
</section>
{% endif %}

<section id="rates">
  <h2>Arrest rates per 100,000 person-years, by region and offence group</h2>
  <p class="meta">Choose the offence group with the menu. Bars show the point estimate (exact, or
    the midpoint where suppressed cells stand behind it) with its 95% interval (exact Poisson,
    widened over suppression). A hatched bar spanning a range is a rate with no point estimate:
    every cell behind it is suppressed. Hover a bar for its range under suppression, arrests,
    person-years and months.</p>
  {{ rates_chart }}
  <p class="note">Arrests are not charges or convictions. Rates divide arrests by person-years: the
    usual resident population, which excludes visitors, × the months each force's return covers ÷ 12.
    A region marked "(n of m forces)" rests on its reporting forces only.
    Arrests of unknown nationality ({{ unknown_share }} of all arrests) have no population to divide by and appear in no nationality bar.</p>
  <details id="rates-table"><summary>Table: all offences, by region</summary>
  <table class="figures">
    <thead><tr><th>Region</th><th>Group</th><th>Rate per 100,000 person-years</th><th>Estimate</th>
      <th>Range under suppression</th><th>95% interval</th><th>Arrests</th><th>Person-years</th><th>Months</th></tr></thead>
    <tbody>
    {% for r in rate_rows %}
      <tr><td>{{ r.area }}{% if r.synthetic %} <span class="badge synthetic">SYNTHETIC</span>{% endif %}</td><td>{{ r.group }}</td>
        <td>{{ r.value }}</td><td>{{ r.estimate }}</td><td>{{ r.bounds }}</td><td>{{ r.interval }}</td>
        <td>{{ r.counts }}</td><td>{{ r.person_years }}</td><td>{{ r.months }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  </details>
</section>

<section id="ratios">
  <h2>Non-British vs British arrest rate ratio</h2>
  <p class="meta">Non-British rate ÷ British rate: a filled diamond is exact, an open diamond a
    midpoint estimate, the thick pale line the feasible range under suppression, and the whiskers
    the 95% interval (log method, see Methodology). 1 (dashed line) means the same rate; the axis is
    logarithmic so 0.5 and 2 are equally far from it.</p>
  {{ ratios_chart }}
  <details id="ratios-table"><summary>Table: rate ratios</summary>
  <table class="figures">
    <thead><tr><th>Area</th><th>Offence group</th><th>Rate ratio</th><th>Estimate</th>
      <th>Range under suppression</th><th>Range incl. unknown nationality</th><th>95% interval</th>
      <th>Arrests, non-British / British</th><th>Person-years, non-British / British</th></tr></thead>
    <tbody>
    {% for r in ratio_rows %}
      <tr><td>{{ r.area }}{% if r.synthetic %} <span class="badge synthetic">SYNTHETIC</span>{% endif %}</td><td>{{ r.group }}</td>
        <td>{{ r.value }}</td><td>{{ r.estimate }}</td><td>{{ r.bounds }}</td>
        <td>{{ r.bounds_incl_unknown }}</td><td>{{ r.interval }}</td><td>{{ r.counts }}</td>
        <td>{{ r.person_years }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  </details>
  <p class="note">British and non-British populations are Annual Population Survey estimates for
    July 2015 – June 2016: a sample survey, several years older than the arrests. Arrests of unknown
    nationality are counted in neither group. Arrests are not charges or convictions; resident populations exclude visitors.</p>
</section>

<section id="coverage">
  <h2>Coverage: which forces and months the figures rest on</h2>
  <div class="tiles-wrap">
    <div class="tiles" role="img" aria-label="Tile grid of the {{ forces_total }} forces coloured by coverage">
    {% for t in tiles %}
      <div class="tile {{ t.status }}{{ ' flagged' if t.flagged }}{{ ' synthetic' if t.synthetic }}" style="grid-row: {{ t.row + 1 }}; grid-column: {{ t.col + 1 }}"
           title="{{ t.force_name }}: {{ t.status_text }}; {{ t.months_covered }} of {{ months | length }} months received{{ ' (synthetic)' if t.synthetic }}"
           data-force="{{ t.force_code }}"><b>{{ t.label }}</b>{% if t.status == 'quarantined' %}quarantined{% else %}{{ t.months_covered }}/{{ months | length }}{% endif %}</div>
    {% endfor %}
    </div>
    <div class="legend">
      <p><span class="key" style="background:#1b7f5f"></span>Return covers all {{ months | length }} months</p>
      <p><span class="key" style="background:#f2c14e"></span>Partial return (some months)</p>
      <p><span class="key quarantined"></span>Return received, quarantined (not used; the reason is in the table)</p>
      <p><span class="key" style="background:#e3e3e3"></span>No return</p>
      <p><span class="key" style="background:#1b7f5f;outline:2px dashed #b3261e;outline-offset:-3px"></span><b>!</b>
        Received, but another return for the force was quarantined</p>
      <p><span class="key" style="background:#1b7f5f;background-image:repeating-linear-gradient(135deg,transparent 0 4px,rgba(255,255,255,.35) 4px 6px)"></span>Hatched: synthetic data</p>
      <p>Tiles are placed roughly by geography;<br>each force has the same area.</p>
    </div>
  </div>
  <div class="table-wrap">
  <table class="coverage">
    <thead><tr><th>Force</th><th>Region</th><th>Status</th>
      {% for m in months %}<th>{{ m.strftime("%b %y") }}</th>{% endfor %}
      <th>Months</th><th>Return(s)</th><th>Superseded</th><th>Suppressed cells</th><th>Unknown nationality</th></tr></thead>
    <tbody>
    {% for r in force_rows %}
      <tr class="{{ r.status }}" data-force="{{ r.force_code }}">
        <td class="name">{{ r.force_name }}{% if r.data_origin == 'synthetic' %} <span class="badge synthetic">SYNTHETIC</span>{% endif %}</td>
        <td>{{ r.region }}</td>
        <td class="status {{ r.status }}">{{ r.status_text }}</td>
        {% for cell in r.months %}<td class="m {{ cell.state }}" data-month="{{ months[loop.index0].strftime('%Y-%m') }}"
          {%- if cell.title %} title="{{ cell.title }}"{% endif %}>{{ cell.mark }}</td>{% endfor %}
        <td class="num">{{ r.months_received }}</td>
        <td>{{ r.return_ids or "—" }}{% if r.quarantined_folders %}<br><span class="status quarantined">quarantined: {{ r.quarantined_folders }}</span>{% endif %}</td>
        <td>{{ r.superseded_return_ids or "—" }}</td>
        <td class="num">{{ r.suppressed_cells if r.suppressed_cells is not none else "—" }}</td>
        <td class="num">{{ pct(r.unknown_nationality_share) }}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  </div>
  <p class="note">✓ covered by a return received; a number is that month's suppressed cells;
    Q a return declaring the month was received but quarantined (hover for the reason); blank: no
    return. Months are those a return declares, so a declared month without cells counts as zero
    arrests. Suppressed cells are carried as bounds, never as zero.</p>
</section>

<section id="methodology">
  <h2>Methodology</h2>
  <ul class="caveats">
    <li><strong>Rates are per 100,000 person-years.</strong> Each reporting force contributes its
      population × the months its return declares ÷ 12, so a force that reported six months counts
      for half a year. Regional and national rates add the arrests and the person-years of the
      forces that reported.</li>
    <li><strong>Suppressed cells are bounds.</strong> A suppressed cell is a count within its
      file's range (by default 1 to 4). Every figure carries its feasible range: the lowest and
      highest values it can take over every allocation of the suppressed cells. The point estimate
      is the midpoint, each suppressed cell counted at the middle of its range; a figure resting
      only on suppressed cells has no point estimate, only its range. Arrest counts are exact or
      given as their range.</li>
    <li><strong>Rate intervals are Poisson only.</strong> The 95% interval of a rate is the exact
      Poisson interval of its count, with the population treated as fixed; under suppression the
      lower limit is taken at the lowest feasible count and the upper at the highest.</li>
    <li><strong>Rate-ratio intervals.</strong> By the log method, with the Annual Population
      Survey's sampling error in the British and non-British person-years added by the delta method:
      <span class="formula">se(ln RR)² = 1/a + 1/b + (se_Pa/Pa)² + (se_Pb/Pb)²</span>
      where a and b are the non-British and British arrests, Pa and Pb their person-years, and each
      APS standard error is its 95% confidence interval's half-width ÷ {{ "%.2f" | format(z95) }}
      (scaled, like the person-years, by months ÷ 12 and summed in quadrature over forces). The
      interval is exp(ln RR ± {{ "%.2f" | format(z95) }} × se). Under suppression it runs from the
      lower limit around the least feasible ratio to the upper limit around the greatest, with se
      taken at the smallest feasible counts (the widest), so it covers every allocation of the
      suppressed cells.</li>
  </ul>
  {% if example %}
  {% set e = example %}
  <div id="worked-example">
  <h3>Worked example: {{ e.geography_name }}, all offences</h3>
  <p>From the figures in this report: non-British arrests a = {{ e.non_british }} over
    Pa = {{ "{:,.0f}".format(e.pya) }} person-years, British arrests b = {{ e.british }} over
    Pb = {{ "{:,.0f}".format(e.pyb) }} person-years (rate ratio {{ e.ratio }}, {{ e.estimate }}).
    {% if e.non_british_term and e.british_term %}The APS puts a standard error of
    {{ "{:,.0f}".format(e.non_british_term.se) }} on Pa and {{ "{:,.0f}".format(e.british_term.se) }}
    on Pb ({{ e.non_british_term.forces }} and {{ e.british_term.forces }} forces).{% endif %}</p>
  <span class="formula">{% if e.exact_counts %}RR = ({{ "{:,.0f}".format(e.a_lower) }} / {{ "{:,.0f}".format(e.pya) }}) ÷ ({{ "{:,.0f}".format(e.b_lower) }} / {{ "{:,.0f}".format(e.pyb) }}) = {{ "%.3f" | format(e.least) }}{% else %}least feasible ratio    = ({{ "{:,.0f}".format(e.a_lower) }} / {{ "{:,.0f}".format(e.pya) }}) ÷ ({{ "{:,.0f}".format(e.b_upper) }} / {{ "{:,.0f}".format(e.pyb) }}) = {{ "%.3f" | format(e.least) }}
greatest feasible ratio = ({{ "{:,.0f}".format(e.a_upper) }} / {{ "{:,.0f}".format(e.pya) }}) ÷ ({{ "{:,.0f}".format(e.b_lower) }} / {{ "{:,.0f}".format(e.pyb) }}) = {{ "%.3f" | format(e.greatest) }}{% endif %}
se(ln RR)² = 1/{{ "{:,.0f}".format(e.a_lower) }} + 1/{{ "{:,.0f}".format(e.b_lower) }} + {% if e.terms_add_up %}{{ e.non_british_term.relative_variance | sig }} + {{ e.british_term.relative_variance | sig }}{% else %}{{ e.aps_variance | sig }}{% endif %}
           = {{ e.inv_a | sig }} + {{ e.inv_b | sig }} + {{ e.aps_variance | sig }} = {{ (e.se ** 2) | sig }},  se = {{ "%.4f" | format(e.se) }}  (Poisson terms alone: {{ "%.4f" | format(e.se_poisson) }})
95% interval = {{ "%.3f" | format(e.least) }} × exp(−{{ "%.2f" | format(z95) }} × {{ "%.4f" | format(e.se) }}) to {{ "%.3f" | format(e.greatest) }} × exp(+{{ "%.2f" | format(z95) }} × {{ "%.4f" | format(e.se) }}) = {{ e.interval }}</span>
  <p>Without the APS terms the interval would be {{ e.interval_poisson }}. The published interval
    (<code>rate_ratio_ci_lower</code>, <code>rate_ratio_ci_upper</code>) is {{ e.published }}:
    {% if verdict == "aps" %}it includes the APS sampling error as stated.
    {% elif verdict == "poisson" %}it matches the Poisson-only computation, so the APS sampling error is <strong>not</strong> in the published ratio intervals.
    {% else %}it matches neither computation; treat the published interval with care.{% endif %}
    {% if not e.terms_add_up %}(The APS term is the mart's <code>population_relative_se</code>²{% if e.non_british_term and e.british_term %}; the two groups' terms recomputed from the reference table do not add up to it{% endif %}.){% endif %}</p>
  </div>
  {% else %}
  <p class="note" id="worked-example">No worked example: this period has no national
    all-offences ratio with person-years and counts that cannot be 0.</p>
  {% endif %}
</section>

<section id="caveats">
  <h2>Caveats</h2>
  <ul class="caveats">
  {% for title, text in caveats %}<li><strong>{{ title }}</strong> {{ text }}</li>{% endfor %}
  </ul>
</section>

{% if docs %}
<section id="docs">
  <h2>Documentation</h2>
  <ul>{% for label, href in docs %}<li><a href="{{ href }}">{{ label }}</a></li>{% endfor %}</ul>
</section>
{% endif %}

<footer>Built from the published warehouse file {{ warehouse_name }} (schema <code>marts</code>).
  Populations: ONS mid-2021 estimates; nationality: ONS Annual Population Survey Jul 2015 – Jun 2016
  (Open Government Licence v3.0).</footer>
</main>
</body>
</html>
"""
