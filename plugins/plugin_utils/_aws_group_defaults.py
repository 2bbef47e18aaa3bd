# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""amazon.aws's ``module_defaults`` groups, for this collection's modules.

Private to the collection: not a public API, it may change in any release.

ansible-core resolves ``group/aws`` to ``ansible.builtin.aws``, which includes amazon.aws's and community.aws's
``aws`` groups and nothing else; a collection cannot add itself to a group of another collection
(``extend_group`` only pulls other groups in). So ``module_defaults: {group/aws: {...}}`` - the one block people
who use amazon.aws already have - would not reach flowlogs.aws's modules. Their action plugins take from those
groups the connection options the modules share with amazon.aws (region, credentials, endpoint, TLS, botocore
settings), at the lowest precedence: a task's own options and every ``module_defaults`` entry that names the
module or a flowlogs.aws group win. Pure: no Ansible object, no AWS call.
"""

from __future__ import annotations

#: The groups amazon.aws users set defaults for, as ansible-core stores them (fully qualified).
AMAZON_AWS_GROUPS = ("group/ansible.builtin.aws", "group/amazon.aws.aws", "group/community.aws.aws")


def option_names(connection_spec):
    """Every name and alias of the connection options -> the option's name."""
    names = {}
    for name, spec in connection_spec.items():
        names[name] = name
        for alias in spec.get("aliases") or ():
            names[alias] = name
    return names


def _amazon_aws_groups(module_defaults):
    """The settings of amazon.aws's groups, each group's from the last dict that sets it."""
    merged = {}
    for defaults in module_defaults or ():
        merged.update(defaults or {})
    return [values for group, values in merged.items() if group in AMAZON_AWS_GROUPS]


def amazon_aws_defaults(module_defaults, args, connection_spec):
    """(options, ignored): the connection options amazon.aws's groups set in ``module_defaults`` (a list of
    dicts, as a task holds them) that ``args`` (the task's options, with the defaults Ansible applied) does not
    set under any name or alias; and the names of those groups' settings that are not connection options of
    this collection (amazon.aws-only settings such as ``debug_botocore_endpoint_logs``), which are left out.

    Later entries win over earlier ones, as in ansible-core: a later dict's group replaces an earlier one's.
    """
    names = option_names(connection_spec)
    given = {names[k] for k in args if k in names}
    options, ignored = {}, set()
    for values in _amazon_aws_groups(module_defaults):
        for key, value in (values or {}).items():
            option = names.get(key)
            if option is None:
                ignored.add(key)
            elif option not in given:
                options[option] = value
    return options, sorted(ignored)
