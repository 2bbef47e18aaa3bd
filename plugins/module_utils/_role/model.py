# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The target model: one account in one region as the role's variables describe it, built and checked once.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

``target_of(variables)`` turns the converted variables (see variables.py) into a frozen ``Target`` - its
``Destination``s (destinations.py), its ``Unit``s (one resource type to one destination: one batched converge each)
and the settings of its delivery role, alarms and analysis - once rules.py checked every rule the modules it drives
would check and found no ``Problem``.
The discovery, the converges and the report are handed the Target; they never read the variables again, and a
module option in an error raised later is named back to its variable by ``Target.variable_of``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.fields import TRANSIT_GATEWAY_TYPES
from ansible_collections.flowlogs.aws.plugins.module_utils._role import destinations as rd

#: The tag on everything the role creates, so disable and audits can tell it apart.
MANAGED_TAG = {"managed-by": "flowlogs.aws"}
#: Connection option -> role variable (every step's client).
CONNECTION = dict(
    region="flow_logs_region",
    endpoint_url="flow_logs_endpoint_url",
    aws_ca_bundle="flow_logs_aws_ca_bundle",
    validate_certs="flow_logs_validate_certs",
    aws_config="flow_logs_aws_config",
    profile="flow_logs_profile",
    assume_role_arn="flow_logs_assume_role_arn",
    assume_role_external_id="flow_logs_assume_role_external_id",
    expected_account_id="flow_logs_account_id",
    sts_region="flow_logs_sts_region",
)
#: Options of a unit's flow log that variables other than the destination's set.
UNIT_VARIABLES = dict(
    resource_ids="flow_logs_vpc_ids",
    vpc_ids="flow_logs_vpc_ids",
    exclude_vpc_ids="flow_logs_exclude_vpc_ids",
    filters="flow_logs_vpc_tag_filters",
    deliver_logs_role_arn="flow_logs_role_name",
    deliver_cross_account_role="flow_logs_role_name",
    resource_type="flow_logs_resource_types",
    state="flow_logs_state",
    tags="flow_logs_tags",
)
#: flow_log_role option -> role variable.
ROLE_VARIABLES = dict(
    name="flow_logs_role_name",
    log_group_names="flow_logs_log_group_name",
    purge_policies="flow_logs_role_purge_policies",
    path="flow_logs_role_path",
    permissions_boundary="flow_logs_role_permissions_boundary",
    tags="flow_logs_tags",
)
#: flow_log_alarms option -> role variable.
ALARM_VARIABLES = dict(
    log_group_name="flow_logs_log_group_name",
    rules="flow_logs_alarm_rules",
    sns_topic_arn="flow_logs_alarm_sns_topic_arn",
    threshold="flow_logs_alarm_threshold",
    period="flow_logs_alarm_period",
    evaluation_periods="flow_logs_alarm_period",
    log_format="flow_logs_log_format",
    region="flow_logs_region",
    tags="flow_logs_tags",
)

#: Option of the arrival check -> role variable.
ARRIVAL_VARIABLES = dict(
    check_arrival="flow_logs_check_arrival",
    delivery_window="flow_logs_delivery_window",
    price_table="flow_logs_price_table",
    require_arrival="flow_logs_require_arrival",
)


@dataclass(frozen=True)
class Unit:
    """One resource type to one destination: the resources of the type get one flow log to the destination."""

    resource_type: str
    destination: rd.Destination

    @property
    def key(self):
        return "{} -> {}".format(self.resource_type, self.destination.label)

    @property
    def log_format(self):
        return self.destination.log_format_for(self.resource_type)

    def variable_of(self, option):
        """A vpc_flow_log option of this unit -> the variable that sets it."""
        if option.startswith("flow_logs_"):  # named already
            return option
        if option.split(".", 1)[0] == "tag_fields":
            return "flow_logs_" + option
        return UNIT_VARIABLES.get(option) or self.destination.option_variable(option)


@dataclass(frozen=True)
class DeliveryRole:
    name: str
    path: str = None
    permissions_boundary: str = None
    purge_policies: bool = None
    #: flow_logs_delivery_role_owner: False for a target that leaves the role to its account's owner target.
    owner: bool = None


@dataclass(frozen=True)
class Alarms:
    rules: tuple
    sns_topic_arn: str = None
    threshold: int = 1
    period: int = 300


@dataclass(frozen=True)
class Analysis:
    insights_queries: bool = None  # None: where the format can answer them, best effort
    contributor_insights: bool = False
    prefix: str = "flowlogs"
    athena: bool = False
    athena_database: str = "vpc_flow_logs"
    athena_table: str = "flow_logs"
    athena_workgroup: str = "primary"


@dataclass(frozen=True)
class Arrival:
    """Proof of delivery (see _role/arrival.py): ``check`` None means in check mode only."""

    check: bool = None
    window: int = 30
    require: bool = False
    prices: dict = field(default=None, hash=False, compare=False)


@dataclass(frozen=True)
class Target:
    """One account in one region, as its variables describe it (see the module docstring)."""

    region: str
    account_id: str
    state: str
    connection: dict = field(hash=False, compare=False)
    resource_types: tuple
    destinations: tuple
    role: DeliveryRole
    analysis: Analysis
    alarms: Alarms = None
    vpc_ids: tuple = ()
    vpc_tag_filters: dict = field(default=None, hash=False, compare=False)
    exclude_vpc_ids: tuple = ()
    tags: dict = field(default=None, hash=False, compare=False)
    tag_fields: dict = field(default=None, hash=False, compare=False)
    delete_log_group: bool = False
    delete_role: bool = False
    #: CloudWatch Logs deletion protection of the log groups: None leaves it as it is.
    log_group_deletion_protection: bool = None
    lift_deletion_protection: bool = False
    on_denied: str = "fail"
    arrival: Arrival = Arrival()

    @property
    def present(self):
        return self.state != "absent"

    @property
    def units(self):
        return tuple(Unit(t, d) for t in self.resource_types for d in self.destinations)

    @property
    def cloudwatch_destinations(self):
        return tuple(d for d in self.destinations if d.cloudwatch)

    @property
    def alarm_destination(self):
        """The CloudWatch Logs destination the alarms read: the first that logs rejected traffic, or None."""
        found = [d for d in self.cloudwatch_destinations if (d.traffic_type or "ALL") in ("ALL", "REJECT")]
        return found[0] if found else None

    @property
    def managed_tags(self):
        return dict(self.tags or {}, **MANAGED_TAG)

    def variable_of(self, option):
        """A connection or flow log option in an error raised while converging -> the variable that sets it."""
        return CONNECTION.get(option) or Unit("VPC", self.destinations[0]).variable_of(option)

    def role_arn(self, identity):
        """The ARN the delivery role has (or will have), path included: known before any IAM call."""
        path = self.role.path or "/"
        return "arn:{}:iam::{}:role{}{}".format(identity["partition"], identity["account"], path, self.role.name)

    # ------------------------------------------------------------ the options of the modules the target drives

    def flow_log_options(self, unit, role_arn=None, resource_ids=None):
        """vpc_flow_log's options for one unit (vpc_flow_log_info shares them)."""
        tgw = unit.resource_type in TRANSIT_GATEWAY_TYPES
        dest = unit.destination
        if resource_ids is None:
            resource_ids = self.vpc_ids if unit.resource_type == "VPC" else ()
        return dict(
            state=self.state,
            resource_type=unit.resource_type,
            resource_ids=list(resource_ids or []),
            destination_type=dest.type,
            log_group_name=dest.log_group_name,
            log_destination=dest.log_destination,
            deliver_logs_role_arn=role_arn if dest.cloudwatch else None,
            traffic_type=None if tgw else dest.traffic_type,
            max_aggregation_interval=None if tgw else dest.max_aggregation_interval,
            log_format=unit.log_format,
            destination_options=dest.destination_options,
            tag_fields=self.tag_fields if rd.uses_tag_fields(unit.log_format) and not tgw else None,
            tags=self.managed_tags,
            purge_tags=False,
        )

    def vpc_selection(self):
        """Which VPCs the target covers: ``vpc_ids``, ``filters``, ``exclude_vpc_ids`` (vpc_flow_log_info's)."""
        filters = {"tag:{}".format(k): value for k, value in (self.vpc_tag_filters or {}).items()}
        return dict(
            vpc_ids=list(self.vpc_ids) or None, filters=filters or None, exclude_vpc_ids=list(self.exclude_vpc_ids)
        )

    def log_group_options(self, dest, state="present"):
        """flow_log_group's options for a CloudWatch Logs destination."""
        options = dict(
            name=dest.log_group_name,
            retention_in_days=dest.retention_in_days,
            kms_key_id=dest.kms_key_id,
            log_group_class=dest.log_group_class,
            state=state,
            tags=self.managed_tags,
            purge_tags=False,
            # Present: as asked (None leaves it). Absent: false lifts it before the delete, when asked to.
            deletion_protection=self.log_group_deletion_protection if state == "present" else self._lift(),
        )
        for key in ("kms_key_id", "deletion_protection"):
            if options[key] is None:
                options.pop(key)
        return options

    def _lift(self):
        return False if self.lift_deletion_protection else None

    def role_options(self, state="present"):
        """flow_log_role's options: the delivery role may write to every CloudWatch Logs destination's group."""
        groups = [d.log_group_name for d in self.cloudwatch_destinations]
        options = dict(
            name=self.role.name,
            log_group_names=groups or [self.destinations[0].log_group_name],
            purge_policies=self.role.purge_policies,
            tags=self.managed_tags,
            purge_tags=False,
            state=state,
        )
        for key in ("path", "permissions_boundary"):
            if getattr(self.role, key) is not None:
                options[key] = getattr(self.role, key)
        return options

    def alarm_options(self):
        """flow_log_alarms' options: the alarms read the alarm destination's group, in its format."""
        dest = self.alarm_destination
        alarms = self.alarms or Alarms(rules=())
        return dict(
            log_group_name=dest.log_group_name if dest else None,
            log_format=dest.log_format if dest else None,
            rules=[dict(r) for r in alarms.rules],
            sns_topic_arn=alarms.sns_topic_arn,
            threshold=alarms.threshold,
            period=alarms.period,
            region=self.region,
            tags=self.managed_tags,
            purge_tags=False,
        )


# ---------------------------------------------------------------- building a target from its variables


def _tuple(value):
    return tuple(value or ())


def _alarms_of(v):
    if not v.get("flow_logs_alarms"):
        return None
    return Alarms(
        rules=tuple(dict(r) for r in v.get("flow_logs_alarm_rules") or ()),
        sns_topic_arn=v.get("flow_logs_alarm_sns_topic_arn"),
        threshold=v.get("flow_logs_alarm_threshold"),
        period=v.get("flow_logs_alarm_period"),
    )


def target_of(v):
    """The Target the converted variables ``v`` describe. Their rules are checked by rules.target_problems."""
    return Target(
        region=v.get("flow_logs_region"),
        account_id=str(v["flow_logs_account_id"]) if v.get("flow_logs_account_id") not in (None, "") else None,
        state=v.get("flow_logs_state") or "present",
        connection={option: v.get(var) for option, var in CONNECTION.items()},
        resource_types=_tuple(v.get("flow_logs_resource_types")) or ("VPC",),
        destinations=rd.build_destinations(v),
        role=DeliveryRole(
            name=v.get("flow_logs_role_name"),
            path=v.get("flow_logs_role_path"),
            permissions_boundary=v.get("flow_logs_role_permissions_boundary"),
            purge_policies=v.get("flow_logs_role_purge_policies"),
            owner=v.get("flow_logs_delivery_role_owner"),
        ),
        analysis=_analysis_of(v),
        alarms=_alarms_of(v),
        vpc_ids=_tuple(v.get("flow_logs_vpc_ids")),
        vpc_tag_filters=dict(v.get("flow_logs_vpc_tag_filters") or {}),
        exclude_vpc_ids=_tuple(v.get("flow_logs_exclude_vpc_ids")),
        tags=dict(v.get("flow_logs_tags") or {}),
        tag_fields=v.get("flow_logs_tag_fields"),
        delete_log_group=bool(v.get("flow_logs_delete_log_group")),
        delete_role=bool(v.get("flow_logs_delete_role")),
        log_group_deletion_protection=v.get("flow_logs_log_group_deletion_protection"),
        lift_deletion_protection=bool(v.get("flow_logs_lift_deletion_protection")),
        on_denied=v.get("flow_logs_on_denied") or "fail",
        arrival=Arrival(
            check=v.get("flow_logs_check_arrival"),
            window=v.get("flow_logs_delivery_window") or 30,
            require=bool(v.get("flow_logs_require_arrival")),
            prices=v.get("flow_logs_price_table"),
        ),
    )


def _analysis_of(v):
    return Analysis(
        insights_queries=v.get("flow_logs_insights_queries"),
        contributor_insights=bool(v.get("flow_logs_contributor_insights")),
        prefix=v.get("flow_logs_analysis_prefix") or "flowlogs",
        athena=bool(v.get("flow_logs_athena")),
        athena_database=v.get("flow_logs_athena_database") or "vpc_flow_logs",
        athena_table=v.get("flow_logs_athena_table") or "flow_logs",
        athena_workgroup=v.get("flow_logs_athena_workgroup") or "primary",
    )
