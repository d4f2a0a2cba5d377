"""Every Discogs sample set through the whole pipeline on both deployments: the graph holds exactly
the nodes and relationships the XML implies, counted here apart from the builder's code, and the same
dump loaded again writes nothing.

The counter walks the XML with lxml and applies the modelling rules of SPEC-graph §2-3 and of
`domain.graph_model`'s docstring: only a positive decimal id names an entity, every referenced id
becomes a node (a stub) unless it has a record, PART_OF only for exactly one distinct genre, credits
only from release-level `extraartists` with a name and a role, and SAME_AS targets an Artist stub too.
Edges are sets, as MERGE makes them. Maintenance removes stubs without sha256 and without edges; a stub
is only ever created with its edge and a clean load prunes nothing when no record id repeats (the
counter checks it), so it removes none here.
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

import tests.integration.test_pipeline as pipeline
from domain.dumps import DISCOGS_DUMP_TYPES
from tests.integration.test_pipeline import Deployment, load
from tests.samples import discogs_sample_counts, samples_dir

deployment = pipeline.deployment

SAMPLE_VERSIONS: dict[str, str | None] = {
    "xml2db_20200806": None,
    "xml2db_20170401_head50": None,
    "tgmz_2025": "20250101",
}
LABELS = ("Artist", "Label", "Master", "Release", "Genre", "Style", "Person")
TYPES: tuple[str, ...] = ("BY", "ON", "DERIVED_FROM", "IS", "PART_OF", "MEMBER_OF", "ALIAS_OF", "SUBLABEL_OF")
TYPES += ("CREDITED_ON", "SAME_AS")
RECORD_LABEL = {"artist": "Artist", "label": "Label", "master": "Master", "release": "Release"}

Element = etree._Element
Ref = tuple[str, str]


# --- the independent counter -------------------------------------------------------------------


def text(element: Element | None) -> str | None:
    """An element's text as the reader keeps it: untrimmed, None when empty or whitespace only."""
    if element is None or element.text is None or not element.text.strip():
        return None
    return element.text


def entity_id(value: str | None) -> str | None:
    """The value when it names an entity: a positive decimal integer."""
    return value if value and re.fullmatch("[0-9]+", value) and value.strip("0") else None


def item_id(item: Element) -> str | None:
    """The id a list item names: its id attribute, its <id> child, or a bare text taken as the id."""
    if item.attrib:
        return entity_id(item.get("id"))
    if len(item):
        return entity_id(text(item.find("id")))
    return entity_id(text(item))


class ExpectedGraph:
    """Nodes per label and edges per type, as sets: MERGE semantics."""

    def __init__(self) -> None:
        self.nodes: dict[str, set[str]] = defaultdict(set)
        self.edges: dict[str, set[tuple[object, ...]]] = defaultdict(set)
        self.records: set[Ref] = set()

    def link(self, edge_type: str, source: Ref, target: Ref, *key: str) -> None:
        """One edge, MERGEd with both ends (an end without a record of its own is a stub)."""
        for label, node_key in (source, target):
            self.nodes[label].add(node_key)
        self.edges[edge_type].add((source, target, *key))

    def add_record(self, record: Element) -> None:
        """The record's node and edges; a record without a usable id is refused."""
        record_id = entity_id(record.get("id") or text(record.find("id")))
        if record_id is None:
            return
        ref = (RECORD_LABEL[record.tag], record_id)
        assert ref not in self.records, f"{ref} repeats: its second write would prune the first's edges"
        self.records.add(ref)
        self.nodes[ref[0]].add(record_id)
        getattr(self, f"_{record.tag}")(record, ref)

    def _refs(self, record: Element, path: str, label: str) -> list[Ref]:
        return [(label, key) for item in record.findall(path) if (key := item_id(item))]

    def _artist(self, record: Element, ref: Ref) -> None:
        for member in self._refs(record, "members/name", "Artist"):
            self.link("MEMBER_OF", member, ref)
        for group in self._refs(record, "groups/name", "Artist"):
            self.link("MEMBER_OF", ref, group)
        for alias in self._refs(record, "aliases/name", "Artist"):
            self.link("ALIAS_OF", alias, ref)

    def _label(self, record: Element, ref: Ref) -> None:
        parent = record.find("parentLabel")
        if parent is not None and (parent.attrib or len(parent)) and (parent_id := item_id(parent)):
            self.link("SUBLABEL_OF", ref, ("Label", parent_id))
        for sublabel in self._refs(record, "sublabels/label", "Label"):
            self.link("SUBLABEL_OF", sublabel, ref)

    def _master(self, record: Element, ref: Ref) -> None:
        for artist in self._refs(record, "artists/artist", "Artist"):
            self.link("BY", ref, artist)
        genres = list(dict.fromkeys(filter(None, map(text, record.findall("genres/genre")))))
        styles = list(dict.fromkeys(filter(None, map(text, record.findall("styles/style")))))
        for genre in genres:
            self.link("IS", ref, ("Genre", genre))
        for style in styles:
            self.link("IS", ref, ("Style", style))
            if len(genres) == 1:
                self.link("PART_OF", ("Style", style), ("Genre", genres[0]))

    def _release(self, record: Element, ref: Ref) -> None:
        self._master(record, ref)
        for label in self._refs(record, "labels/label", "Label"):
            self.link("ON", ref, label)
        if master_id := entity_id(text(record.find("master_id"))):
            self.link("DERIVED_FROM", ref, ("Master", master_id))
        for credit in record.findall("extraartists/artist"):
            name, role = text(credit.find("name")), text(credit.find("role"))
            if name and role:
                self.link("CREDITED_ON", ("Person", name), ref, role)
                if artist_id := entity_id(text(credit.find("id"))):
                    self.link("SAME_AS", ("Person", name), ("Artist", artist_id))


def expected_counts(dump: Path) -> dict[str, int]:
    """Nodes per label and relationships per type the dump's XML implies."""
    graph = ExpectedGraph()
    for path in sorted(dump.iterdir()):
        for record in etree.fromstring(gzip.decompress(path.read_bytes())):
            graph.add_record(record)
    return {label: len(graph.nodes[label]) for label in LABELS} | {
        edge_type: len(graph.edges[edge_type]) for edge_type in TYPES
    }


# --- the pipeline ------------------------------------------------------------------------------


async def store_counts(deployment: Deployment) -> dict[str, int]:
    """Nodes per label and relationships per type in the graph store."""
    graph = deployment.graph
    return {label: await graph.count_nodes(label) for label in LABELS} | {
        edge_type: await graph.count_relationships(edge_type) for edge_type in TYPES
    }


@pytest.mark.parametrize("sample_set", SAMPLE_VERSIONS)
async def test_graph_counts_equal_the_xml_counts_and_a_second_load_writes_nothing(
    deployment: Deployment, sample_set: str
) -> None:
    dump = samples_dir() / "discogs" / sample_set
    expected = expected_counts(dump)

    await load(deployment, dump, SAMPLE_VERSIONS[sample_set], force=False)

    assert await store_counts(deployment) == expected
    table_rows = {data_type: await deployment.tables.count(data_type) for data_type in DISCOGS_DUMP_TYPES}
    assert table_rows == discogs_sample_counts(sample_set)

    second = await load(deployment, dump, SAMPLE_VERSIONS[sample_set], force=True)

    assert {build.subscription.queue_name: build.counters.written for build in second} == {
        build.subscription.queue_name: 0 for build in second
    }
    assert await store_counts(deployment) == expected
