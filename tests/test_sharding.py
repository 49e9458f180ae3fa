"""CI runs the PostgreSQL suite in two halves at once (Makefile, ``ci``):
the halves must be disjoint and together hold every test."""

from types import SimpleNamespace

from .conftest import shard


def test_the_shards_are_disjoint_cover_every_test_and_weigh_alike():
    items = [
        SimpleNamespace(nodeid=f"tests/test_{f}.py::test_{n}")
        for f, size in {"a": 9, "b": 5, "c": 4, "d": 3, "e": 1}.items()
        for n in range(size)
    ]
    first, second = shard(items, "1/2"), shard(items, "2/2")
    assert {id(i) for i in first}.isdisjoint(id(i) for i in second)
    assert len(first) + len(second) == len(items)
    assert abs(len(first) - len(second)) <= 9  # at most the biggest file
    files = {i.nodeid.split("::")[0] for i in first}
    assert files.isdisjoint(i.nodeid.split("::")[0] for i in second)
