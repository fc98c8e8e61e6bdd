"""Two places where moto's DynamoDB costs what DynamoDB's does not, which made the local system
slow in proportion to everything stored (issue 12: the order-cycle editor of 2,000 variants took
over a second locally, nearly all of it here):

- A Query on the table reads, and sorts, every item of the table before keeping the partition
  asked for; DynamoDB reads only that partition. Here it is given only the partition.
- Each attribute value of an answer goes through moto's shape-driven serializer (a few dozen
  Python calls per value: 200 ms for a cycle item of 4,000 variant ids), though moto already holds
  it in the wire's JSON form. Here an attribute value is written out as it is held.

Both leave what moto answers unchanged: tests/functional/test_embedded_aws.py compares them with
moto's own code, kept as each replacement's `moto`."""
from __future__ import annotations

import inspect

ATTRIBUTE_VALUE = "AttributeValue"
"""The shape of DynamoDB's typed values, whose JSON form moto holds already (hubcycle stores no
binary values, the one type the serializer would still have to encode)."""


def speed_up_dynamodb() -> None:
    from moto.core.serialize import JSONSerializer
    from moto.dynamodb.models.table import Table

    if hasattr(Table.query, "moto"):
        return
    query = Table.query
    parameters = inspect.signature(query)

    def query_one_partition(self, hash_key, *args, **kwargs):
        index_name = parameters.bind(self, hash_key, *args, **kwargs).arguments.get("index_name")
        if index_name is not None or hash_key is None or not self.range_key_attr:
            return query(self, hash_key, *args, **kwargs)
        return query(_Partition(self, hash_key), hash_key, *args, **kwargs)

    structure = JSONSerializer._serialize_type_structure

    def attribute_values_as_held(self, serialized, value, shape, key):
        if shape.name == ATTRIBUTE_VALUE and isinstance(value, dict):
            self._default_serialize(serialized, value, shape, key)
        else:
            structure(self, serialized, value, shape, key)

    query_one_partition.moto = query
    attribute_values_as_held.moto = structure
    Table.query = query_one_partition
    JSONSerializer._serialize_type_structure = attribute_values_as_held


class _Partition:
    """A table whose `all_items` are one partition's (moto's query sorts what it keeps)."""

    def __init__(self, table, hash_key):
        self._table = table
        self._hash_key = hash_key

    def __getattr__(self, name: str):
        return getattr(self._table, name)

    def all_items(self) -> list:
        return list(self._table.items.get(self._hash_key, {}).values())
