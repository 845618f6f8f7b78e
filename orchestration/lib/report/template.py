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
  .ci { color: #444; font-size: .95rem; margin-bottom: 8px; }
  .card dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 8px 0;
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
  .tile.synthetic { background-image: repeating-linear-gradient(135deg, transparent 0 6px,
                    rgba(255,255,255,.22) 6px 9px); }
  .legend { font-size: .88rem; }
  .legend span.key { display: inline-block; width: 14px; height: 14px; border-radius: 3px;
                     vertical-align: -2px; margin-right: 6px; border: 1px solid rgba(0,0,0,.15); }
  table.coverage { border-collapse: collapse; font-size: .8rem; margin-top: 10px; width: 100%; }
  table.coverage th, table.coverage td { border: 1px solid #e2e2e2; padding: 3px 5px; }
  table.coverage th { background: #f2f2f2; font-weight: 600; position: sticky; top: 0; }
  table.coverage td.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.m { text-align: center; width: 34px; font-variant-numeric: tabular-nums; }
  td.m.covered { background: #1b7f5f; color: #fff; }
  td.m.uncertain { background: #f2c14e; }
  td.m.missing { background: #fff; color: #bbb; }
  tr.no-return td.name { color: #888; }
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
    · {{ forces_with_return }} of {{ forces_total }} forces sent a return
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
  <p class="meta">Each figure with its 95% interval, how much of the country it stands on, and its caveat.</p>
  <div class="cards">
  {% for card in cards %}
    <article class="card" id="figure-{{ card.figure_id }}">
      <h3>{{ card.description }}{% if card.synthetic %}<span class="badge synthetic">SYNTHETIC</span>{% endif %}{% if card.partial %}<span class="badge partial">PARTIAL COVERAGE</span>{% endif %}</h3>
      <div class="value">{{ card.value }}</div>
      <div class="ci">{{ card.interval }}</div>
      <dl>
        {% if card.counts %}<dt>Counts</dt><dd>{{ card.counts }}</dd>{% endif %}
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

<section id="rates">
  <h2>Arrest rates per 100,000 residents, by region and offence group</h2>
  <p class="meta">Choose the offence group with the menu. Bars show 95% intervals (exact Poisson).
    Hover a bar for arrests, bounds from suppressed cells, population and months.</p>
  {{ rates_chart }}
  <p class="note">Arrests are not charges or convictions. Rates divide arrests by the usual resident
    population, which excludes visitors, and cover the months reported (not annualised).
    A region marked "(n of m forces)" rests on its reporting forces only.
    Arrests of unknown nationality ({{ unknown_share }} of all arrests) have no population to divide by and appear in no nationality bar.</p>
</section>

<section id="ratios">
  <h2>Non-British vs British arrest rate ratio</h2>
  <p class="meta">Non-British rate ÷ British rate, with 95% intervals (log method). 1 (dashed line) means the same rate; the axis is logarithmic so 0.5 and 2 are equally far from it.</p>
  {{ ratios_chart }}
  <p class="note">British and non-British populations are Annual Population Survey estimates for
    July 2015 – June 2016: a sample survey, several years older than the arrests. Arrests of unknown
    nationality are counted in neither group. Arrests are not charges or convictions; resident populations exclude visitors.</p>
</section>

<section id="coverage">
  <h2>Coverage: which forces and months the figures rest on</h2>
  <div class="tiles-wrap">
    <div class="tiles" role="img" aria-label="Tile grid of the {{ forces_total }} forces coloured by coverage">
    {% for t in tiles %}
      <div class="tile {{ t.status }}{{ ' synthetic' if t.synthetic }}" style="grid-row: {{ t.row + 1 }}; grid-column: {{ t.col + 1 }}"
           title="{{ t.force_name }}: {{ t.months_covered }} of {{ months | length }} months{{ ' (synthetic)' if t.synthetic }}"
           data-force="{{ t.force_code }}"><b>{{ t.label }}</b>{{ t.months_covered }}/{{ months | length }}</div>
    {% endfor %}
    </div>
    <div class="legend">
      <p><span class="key" style="background:#1b7f5f"></span>Return covers all {{ months | length }} months</p>
      <p><span class="key" style="background:#f2c14e"></span>Partial return (some months)</p>
      <p><span class="key" style="background:#e3e3e3"></span>No return</p>
      <p><span class="key" style="background:#1b7f5f;background-image:repeating-linear-gradient(135deg,transparent 0 4px,rgba(255,255,255,.35) 4px 6px)"></span>Hatched: synthetic data</p>
      <p>Tiles are placed roughly by geography;<br>each force has the same area.</p>
    </div>
  </div>
  <table class="coverage">
    <thead><tr><th>Force</th><th>Region</th>
      {% for m in months %}<th>{{ m.strftime("%b %y") }}</th>{% endfor %}
      <th>Months</th><th>Return(s)</th><th>Superseded</th><th>Suppressed cells</th><th>Unknown nationality</th></tr></thead>
    <tbody>
    {% for r in force_rows %}
      <tr class="{{ 'has-return' if r.has_return else 'no-return' }}" data-force="{{ r.force_code }}">
        <td class="name">{{ r.force_name }}{% if r.data_origin == 'synthetic' %} <span class="badge synthetic">SYNTHETIC</span>{% endif %}</td>
        <td>{{ r.region }}</td>
        {% for cell in r.months %}<td class="m {{ cell.state }}" data-month="{{ months[loop.index0].strftime('%Y-%m') }}"
          {% if cell.suppressed_cells %}title="{{ cell.suppressed_cells }} suppressed cells"{% endif %}>{{ month_mark(cell) }}</td>{% endfor %}
        <td class="num">{{ r.months_covered }}</td>
        <td>{{ r.return_ids or "—" }}</td>
        <td>{{ r.superseded_return_ids or "—" }}</td>
        <td class="num">{{ r.suppressed_cells if r.suppressed_cells is not none else "—" }}</td>
        <td class="num">{{ pct(r.unknown_nationality_share) }}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  <p class="note">✓ covered; a number is that month's suppressed cells; ? inside a force's reported
    range but possibly a gap between two returns. Suppressed cells are carried as bounds, never as zero.</p>
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
