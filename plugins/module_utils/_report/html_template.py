# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's HTML page, as a Jinja2 template that html.py renders with autoescaping. Private: may change
in any release.

A Python string rather than a .j2 file: fleet_report may write the report on a remote host, and a module's AnsiballZ
payload carries only Python files. Self-contained: no external stylesheet, script, font or image. Colours follow the
``data-status`` (changed, unchanged, failed) and ``data-verdict`` attributes, which also let a script or a test read
the page.
"""

from __future__ import annotations

PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>flowlogs.aws fleet report</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328;line-height:1.4}
h3{margin-top:28px}
table{border-collapse:collapse;margin:12px 0}
td,th{border:1px solid #d0d7de;padding:6px 10px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.muted{color:#656d76}
.error{color:#cf222e}
.cell{color:#fff;font-weight:600;min-width:140px;background:#656d76}
.cell a{color:inherit;text-decoration:none}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;background:#656d76;font-size:.85em}
[data-status=unchanged]{background:#1a7f37}
[data-status=changed]{background:#0969da}
[data-status=failed]{background:#cf222e}
[data-status=denied]{background:#8250df}
[data-verdict=compliant]{color:#1a7f37}
[data-verdict=missing]{color:#9a6700}
[data-verdict=mismatched]{color:#bc4c00}
[data-verdict=delivery_failed]{color:#cf222e}
[data-verdict=not_owned]{color:#656d76}
[data-arrival=delivering]{color:#1a7f37}
[data-arrival=silent]{color:#9a6700}
[data-arrival=failed]{color:#cf222e}
[data-arrival=unreadable]{color:#656d76}
</style>
</head>
<body>
<h1>flowlogs.aws fleet report</h1>
<p class="muted">mode <b>{{ mode }}</b>{% if predicted %} (check mode: nothing changed){% endif %} \
&middot; generated {{ generated_at }}</p>
<p>{{ totals.targets }} targets: {{ totals.targets_changed }} {{ changed_words }}, {{ totals.targets_unchanged }} \
unchanged, {{ totals.targets_failed }} failed{% if totals.targets_denied %}, {{ totals.targets_denied }} denied by \
the organisation{% endif %} &middot; {{ totals.resources }} resources, compliant \
{{ totals.compliant_before }} &rarr; {{ totals.compliant_after }}</p>
{% if compliance %}
<p>{{ compliance }}</p>
{% endif %}
{% if arrival %}
<p id="arrival">{{ arrival }}</p>
{% endif %}
<h2>Accounts &times; regions</h2>
<table id="grid">
<tr><th>account</th>{% for region in grid.regions %}<th>{{ region }}</th>{% endfor %}</tr>
{% for row in grid.rows %}
<tr><th>{{ row.account }}</th>
{% for cell in row.cells %}
{% if cell %}
<td class="cell" data-status="{{ cell.status }}"><a href="#{{ cell.anchor }}">{{ cell.words }}<br>\
{{ cell.compliant }}/{{ cell.resources }} compliant\
{% if cell.arrival != "-" %}<br>{{ cell.arrival }} delivering{% endif %}</a></td>
{% else %}
<td class="muted">-</td>
{% endif %}
{% endfor %}
</tr>
{% endfor %}
</table>
<h2>Targets</h2>
{% for target in targets %}
<section id="{{ target.anchor }}">
<h3>{{ target.name }} <span class="pill" data-status="{{ target.status }}">{{ target.words }}</span></h3>
<p class="muted">account {{ target.account }} &middot; region {{ target.region }}</p>
{% if target.notes %}
<p>delivery: {{ target.notes | join("; ") }}</p>
{% endif %}
{% if target.error %}
<p class="error">error: {{ target.error }}</p>
{% endif %}
{% if target.arrival %}
<p>volume: {{ target.arrival.total }} <span class="muted">(arrival window {{ target.arrival.window }} min)</span></p>
{% if target.arrival.destinations %}
<table class="volume">
<tr><th>destination</th><th>bytes/day</th><th>days sampled</th><th>cost/month (estimated)</th>\
<th>S3 + Parquet instead</th></tr>
{% for d in target.arrival.destinations %}
<tr><td>{{ d.name }}</td><td>{{ d.per_day }}</td><td>{{ d.days }}</td><td>{{ d.cost }}</td><td>{{ d.parquet }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% endif %}
{% if target.rows %}
<table>
<tr><th>resource</th><th>name</th>{% if target.destinations %}<th>destination</th>{% endif %}\
<th>before</th><th>action</th><th>after{% if predicted %} (predicted){% endif %}</th>\
{% if target.arrival %}<th>arrival</th>{% endif %}<th>error</th></tr>
{% for row in target.rows %}
<tr data-action="{{ row.action }}">
<td>{{ row.resource }}{% if row.kind %} <span class="muted">{{ row.kind }}</span>{% endif %}</td>
<td>{{ row.name }}{% if row.is_default %} <span class="muted">(default)</span>{% endif %}</td>
{% if target.destinations %}
<td>{{ row.destination }}</td>
{% endif %}
<td data-verdict="{{ row.before }}">{{ row.before }}{% if row.reason %}<br>\
<span class="muted">{{ row.reason }}</span>{% endif %}</td>
<td>{{ row.action_words }}{% if row.changed_fields %}<br>\
<span class="muted">{{ row.changed_fields | join(", ") }}</span>{% endif %}</td>
<td data-verdict="{{ row.after }}">{{ row.after }}{% if row.flow_log_id %}<br>\
<span class="muted">{{ row.flow_log_id }}</span>{% endif %}</td>
{% if target.arrival %}
<td data-arrival="{{ row.arrival }}">{{ row.arrival_words }}{% if row.arrival_reason %}<br>\
<span class="muted">{{ row.arrival_reason }}</span>{% endif %}</td>
{% endif %}
<td class="error">{{ row.error }}</td>
</tr>
{% endfor %}
</table>
{% endif %}
</section>
{% endfor %}
<script type="application/json" id="report-data">{{ totals | tojson }}</script>
</body>
</html>
"""
