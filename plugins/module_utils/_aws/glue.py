# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Glue Data Catalog: the database and table Athena reads flow logs through. Private: may change in any
release."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import call

NOT_FOUND = "EntityNotFoundException"


def get_database(glue, name):
    """The database's name and description, or None."""
    found = call(glue, "get_database", "glue:GetDatabase", name, missing=NOT_FOUND, Name=name)
    if found is None:
        return None
    database = found["Database"]
    return dict(name=database["Name"], description=database.get("Description"))


def create_database(glue, name, description):
    call(
        glue,
        "create_database",
        "glue:CreateDatabase",
        name,
        DatabaseInput=dict(Name=name, Description=description),
    )


def _columns(found):
    return [dict(name=c["Name"], type=c.get("Type")) for c in found or []]


def table_from_aws(table):
    storage = table.get("StorageDescriptor") or {}
    serde = storage.get("SerdeInfo") or {}
    return dict(
        name=table["Name"],
        database=table.get("DatabaseName"),
        table_type=table.get("TableType"),
        location=storage.get("Location"),
        columns=_columns(storage.get("Columns")),
        partition_keys=_columns(table.get("PartitionKeys")),
        input_format=storage.get("InputFormat"),
        output_format=storage.get("OutputFormat"),
        serde=serde.get("SerializationLibrary"),
        serde_parameters=dict(serde.get("Parameters") or {}),
        parameters=dict(table.get("Parameters") or {}),
        description=table.get("Description"),
    )


def get_table(glue, database, name):
    """The table in the module's snake_case form, or None (also when the database does not exist)."""
    found = call(
        glue,
        "get_table",
        "glue:GetTable",
        "{}.{}".format(database, name),
        missing=NOT_FOUND,
        DatabaseName=database,
        Name=name,
    )
    return None if found is None else table_from_aws(found["Table"])


def table_input(table):
    """Glue's TableInput for a table in the module's form (the whole table: UpdateTable replaces it)."""
    return dict(
        Name=table["name"],
        Description=table.get("description") or "",
        TableType=table["table_type"],
        Parameters=dict(table["parameters"]),
        PartitionKeys=[dict(Name=c["name"], Type=c["type"]) for c in table["partition_keys"]],
        StorageDescriptor=dict(
            Columns=[dict(Name=c["name"], Type=c["type"]) for c in table["columns"]],
            Location=table["location"],
            InputFormat=table["input_format"],
            OutputFormat=table["output_format"],
            SerdeInfo=dict(SerializationLibrary=table["serde"], Parameters=dict(table["serde_parameters"])),
        ),
    )


def create_table(glue, table):
    name = "{}.{}".format(table["database"], table["name"])
    call(glue, "create_table", "glue:CreateTable", name, DatabaseName=table["database"], TableInput=table_input(table))


def update_table(glue, table):
    name = "{}.{}".format(table["database"], table["name"])
    call(glue, "update_table", "glue:UpdateTable", name, DatabaseName=table["database"], TableInput=table_input(table))


def delete_table(glue, database, name):
    call(
        glue,
        "delete_table",
        "glue:DeleteTable",
        "{}.{}".format(database, name),
        gone=NOT_FOUND,
        DatabaseName=database,
        Name=name,
    )
