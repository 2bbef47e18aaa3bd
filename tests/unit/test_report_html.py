"""The fleet report's HTML page: rendered from its Jinja2 template with autoescaping, the grid and the data the
Chromium test reads, a prediction's words, and a clear failure where jinja2 is missing (pure, but for the module
run in a subprocess)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import fleet_report
from ansible_collections.flowlogs.aws.plugins.module_utils._report.html import report_html

HOSTILE = '<script>alert("x")</script> & "quoted" \'single\''


def row(resource, before, action, after, reason=None, **extra):
    found = dict(
        vpc_id=resource,
        resource_id=resource,
        resource_type="VPC",
        name=None,
        destination=None,
        action=action,
        before=dict(verdict=before, reason=reason),
        after=dict(verdict=after, flow_log_id=None),
        changed_fields=[],
        error=None,
    )
    return dict(found, **extra)


def entry(target, account, region, status, *rows, **extra):
    counts = dict(
        created=0, replaced=0, updated=0, deleted=0, unchanged=0, failed=0, not_run=0, not_owned=0,
        resources=len(rows), vpcs=len(rows), compliant_before=0, api_calls=0, api_retries=0,
        compliant_after=sum(1 for r in rows if r["after"]["verdict"] == "compliant"),
    )  # fmt: skip
    result = dict(result_version=1, target=target, account_id=account, region=region, status=status, **extra)
    return dict(target=target, result=dict(result, vpcs=list(rows), counts=counts, delivery=extra.get("delivery", {})))


FLEET = [
    entry(
        "prod-eu",
        "111111111111",
        "eu-west-1",
        "changed",
        row("vpc-1", "missing", "created", "compliant"),
        row("vpc-2", "mismatched", "replaced", "compliant", changed_fields=["traffic_type"]),
    ),
    entry("prod-us", "111111111111", "us-east-1", "unchanged", row("vpc-3", "compliant", "unchanged", "compliant")),
    entry(
        HOSTILE,
        "222222222222",
        "eu-west-1",
        "failed",
        row(
            "vpc-4",
            "missing",
            "failed",
            "missing",
            reason=HOSTILE,
            name=HOSTILE,
            error=dict(code="UnauthorizedOperation", message=HOSTILE),
        ),
        error=HOSTILE,
        delivery=dict(notes=[HOSTILE]),
    ),
]


def test_every_text_of_the_report_is_escaped():
    page = report_html(fleet_report(FLEET, "enable", generated_at=HOSTILE))

    assert "<script>alert" not in page and '"quoted"' not in page
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quoted&#34; &#39;single&#39;"
    # the target's name, its notes, error, the VPC's name, reason and error, and the time
    assert page.count(escaped) == 7
    assert page.count("<script") == 1  # the report's data, JSON


def test_the_grid_has_a_cell_per_target_coloured_by_its_status_and_the_data_the_totals():
    report = fleet_report(FLEET, "enable")

    page = report_html(report)

    grid = page[page.index('<table id="grid">') : page.index("</table>")]
    assert re.findall(r"<th>([\w-]+)</th>", grid) == [
        "account",
        "eu-west-1",
        "us-east-1",
        "111111111111",
        "222222222222",
    ]
    assert re.findall(r'<td class="cell" data-status="(\w+)">', grid) == ["changed", "unchanged", "failed"]
    assert grid.count('<td class="muted">-</td>') == 1  # 222222222222 has no target in us-east-1
    assert "2/2 compliant" in grid and "0/1 compliant" in grid
    data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page).group(1)
    assert json.loads(data) == report["totals"]
    assert "http://" not in page and "https://" not in page  # self-contained


def test_a_prediction_says_would_a_run_says_what_it_did():
    predicted = report_html(fleet_report(FLEET, "audit", check_mode=True))
    done = report_html(fleet_report(FLEET, "enable"))

    assert "(check mode: nothing changed)" in predicted and "1 would change" in predicted
    assert ">would create<" in predicted and ">would replace<" in predicted and "after (predicted)" in predicted
    assert "would" not in done and ">created<" in done and "(predicted)" not in done
    assert re.search(r">replaced<br>\s*<span class=\"muted\">traffic_type</span>", done)


def test_without_jinja2_the_module_fails_naming_it(tmp_path):
    """On a remote host without jinja2: a failure that says so, before anything is written."""
    script = "\n".join(
        [
            "import sys",
            "sys.modules['jinja2'] = None  # import jinja2 raises ImportError",
            "from ansible.module_utils.testing import patch_module_args",
            "from ansible_collections.flowlogs.aws.plugins.modules import fleet_report",
            "with patch_module_args(dict(targets=[], dest=sys.argv[1])):",
            "    fleet_report.main()",
        ]
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, env=env, check=False
    )

    found = json.loads(done.stdout)
    assert done.returncode == 1 and found["failed"] is True, done
    assert "Failed to import the required Python library (jinja2)" in found["msg"]
    assert "to write flowlogs-report.html" in found["msg"]
    assert list(tmp_path.iterdir()) == []
