"""The role's phase tasks run once for the play's batch: the hosts they leave out (a ``when`` false on the batch's
first host, ``flow_logs_batch: false``) still converge, in their own result task, and no target is worked twice -
also when the run starts at the converge (``--start-at-task``)."""

from __future__ import annotations

import re

from tests.integration.test_fleet import recap
from tests.support import fleet

ACCOUNTS, REGIONS = fleet.ACCOUNTS[:2], fleet.REGIONS
TARGETS = [fleet.target_name(a, r) for a in ACCOUNTS for r in REGIONS]
FIRST, ALONE = TARGETS[0], TARGETS[-1]  # the batch's first host; a host that runs alone (flow_logs_batch: false)
PLAY = """
- name: The role, with a when of the play's own
  hosts: flow_logs_targets
  gather_facts: false
  tasks:
    - name: Flow logs
      ansible.builtin.import_role:
        name: flowlogs.aws.flow_logs
        rolespec_validate: false
      when: inventory_hostname != (left_out | default(''))
"""


def managed(state, target):
    account, region = next((a, r) for a in ACCOUNTS for r in REGIONS if fleet.target_name(a, r) == target)
    return sorted(
        f["resource"] for f in state[account][region]["flow_logs"] if ("managed-by", "flowlogs.aws") in f["tags"]
    )


def test_hosts_the_batch_leaves_out_converge_in_their_result_task_and_no_target_is_worked_twice(
    aws, proxy, run_playbook, tmp_path
):
    planted = fleet.seed(aws.url, accounts=ACCOUNTS, regions=REGIONS)
    inventory = fleet.write_inventory(
        tmp_path / "inventory.json",
        proxy.url,
        ACCOUNTS,
        REGIONS,
        extra_host_vars={ALONE: dict(flow_logs_batch=False)},
    )
    play = tmp_path / "play.yml"
    play.write_text(PLAY)

    # The batch's first host is left out by the play's when: the phase tasks are skipped for the whole batch, and
    # each other host runs its phases in its result task.
    first = run_playbook(play, dict(left_out=FIRST), args=("-v",), inventory=inventory)

    assert first.rc == 0, str(first)
    stats = recap(first.stdout)
    assert stats[FIRST]["ok"] == 0 and stats[FIRST]["changed"] == 0
    assert {t: stats[t]["changed"] for t in TARGETS[1:]} == {t: 1 for t in TARGETS[1:]}
    state = fleet.snapshot(aws.url, ACCOUNTS, REGIONS)
    assert managed(state, FIRST) == []  # left alone
    for target in TARGETS[1:]:
        assert set(planted[target]["vpcs"]) <= set(managed(state, target)), target  # moto's default VPC too
    assert proxy.counts()["ec2:DescribeVpcs"] == 3  # one discovery per target that ran

    # From the converge on, every host: the batch's phases run the three others, ALONE runs in its result task.
    proxy.reset()
    second = run_playbook(play, args=("-v", "--start-at-task", "Converge the flow logs"), inventory=inventory)

    assert second.rc == 0, str(second)
    assert re.search(r'"targets_left": \[\s*"{}"\s*\]'.format(ALONE), second.stdout), second.stdout[-4000:]
    stats = recap(second.stdout)
    assert stats[FIRST]["changed"] >= 1 and {t: stats[t]["changed"] for t in TARGETS[1:]} == {t: 0 for t in TARGETS[1:]}
    assert set(planted[FIRST]["vpcs"]) <= set(managed(fleet.snapshot(aws.url, ACCOUNTS, REGIONS), FIRST))
    calls = proxy.counts()
    assert calls["ec2:DescribeVpcs"] == 4, calls  # the converge discovered each target once; no phase ran twice
    assert calls.get("ec2:CreateFlowLogs", 0) >= 1, calls  # FIRST's, made now
