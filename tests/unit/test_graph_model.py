"""The graph model: which nodes, properties and edges a Discogs record implies (SPEC-graph §2 to §4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from domain.graph_model import (
    CREDIT_CATEGORIES,
    EDGE_SHAPES,
    KIND_BY_LABEL,
    OTHER_CREDIT_CATEGORY,
    RECORD_NODE_SHAPES,
    STUB_NODE_SHAPES,
    Edge,
    GraphBatch,
    GraphRecordError,
    GraphRecordRows,
    KeptTargets,
    NodeRef,
    StubNode,
    categorize_role,
    graph_batch,
    graph_record_rows,
)
from domain.schema import RELATIONSHIP_TYPES

CURRENT_YEAR = 2026
SAMPLES = Path("/work/shared/data/samples/discogs/xml2db_single_records")
SHA = "5f1e" * 16


def release_ref(release_id: str) -> NodeRef:
    return NodeRef("Release", release_id)


def edges_of(rows: GraphRecordRows, edge_type: str) -> set[Edge]:
    return {edge for edge in rows.edges if edge.type == edge_type}


# --- example records from the real samples -------------------------------------------------------

# release_4497890 normalized by hand after SPEC-ingest §4: top level stripped, item lists,
# empty elements null. Images, identifiers, companies and notes are left out (the graph reads
# none of them); one track is kept in its raw shape, because track-level credits must not count.
RELEASE_4497890: dict[str, Any] = {
    "id": "4497890",
    "sha256": SHA,
    "status": "Accepted",
    "title": "The Show That Never Ends",
    "artists": [
        {
            "id": "39765",
            "name": "Emerson, Lake & Palmer",
            "anv": None,
            "join": None,
            "role": None,
            "tracks": None,
        }
    ],
    "labels": [{"name": "Recall 2cd", "catno": "SMD CD 370", "id": "158904"}],
    "extraartists": [
        {
            "id": "3257209",
            "name": "Simon Spall",
            "anv": None,
            "join": None,
            "role": "Liner Notes",
            "tracks": None,
        },
        {
            "id": "1059225",
            "name": "Brian Burrows (3)",
            "anv": "Sir Brian Burrows",
            "join": None,
            "role": "Sleeve",
            "tracks": None,
        },
    ],
    "formats": [{"name": "CD", "qty": "2", "text": "", "descriptions": {"description": "Album"}}],
    "genres": ["Rock"],
    "styles": ["Prog Rock"],
    "country": "UK",
    "released": "2001",
    "data_quality": "Needs Vote",
    "master_id": "242931",
    "tracklist": {
        "track": [
            {
                "position": "1-1",
                "title": "A Time And A Place",
                "duration": "4:06",
                "extraartists": {
                    "artist": {
                        "id": "39765",
                        "name": "Emerson, Lake & Palmer",
                        "anv": "Emerson / Lake / Palmer",
                        "join": None,
                        "role": "Written-By",
                        "tracks": None,
                    }
                },
            }
        ]
    },
}

ARTIST_11037: dict[str, Any] = {
    "id": "11037",
    "sha256": SHA,
    "name": "Soul Boy",
    "realname": "M. Marsico, L. Macchiaizzano\rif  M. Marsico & L. M",
    "profile": None,
    "data_quality": "Needs Vote",
}


def credits_in_xml(parent: etree._Element | None) -> list[tuple[str, str, str]]:
    """(id, name, role) of each <artist> under a credits element, empty text as ""."""
    if parent is None:
        return []
    return [
        (artist.findtext("id") or "", artist.findtext("name") or "", artist.findtext("role") or "")
        for artist in parent.findall("artist")
    ]


def test_release_sample_literal_agrees_with_the_xml() -> None:
    release = etree.parse(str(SAMPLES / "release_4497890.xml")).getroot()
    assert release.get("id") == RELEASE_4497890["id"]
    assert release.get("status") == RELEASE_4497890["status"]
    assert release.findtext("title") == RELEASE_4497890["title"]
    assert release.findtext("released") == RELEASE_4497890["released"]
    assert release.findtext("master_id") == RELEASE_4497890["master_id"]
    assert [genre.text for genre in release.iterfind("genres/genre")] == RELEASE_4497890["genres"]
    assert [style.text for style in release.iterfind("styles/style")] == RELEASE_4497890["styles"]
    assert [dict(label.attrib) for label in release.iterfind("labels/label")] == RELEASE_4497890["labels"]
    assert [fmt.get("name") for fmt in release.iterfind("formats/format")] == [
        fmt["name"] for fmt in RELEASE_4497890["formats"]
    ]
    literal_credits = [(a["id"], a["name"], a["role"] or "") for a in RELEASE_4497890["artists"]]
    assert credits_in_xml(release.find("artists")) == literal_credits
    literal_extra = [(a["id"], a["name"], a["role"]) for a in RELEASE_4497890["extraartists"]]
    assert credits_in_xml(release.find("extraartists")) == literal_extra


def test_artist_sample_literal_agrees_with_the_xml() -> None:
    artist = etree.parse(str(SAMPLES / "artist_11037.xml")).getroot()
    assert artist.findtext("id") == ARTIST_11037["id"]
    assert artist.findtext("name") == ARTIST_11037["name"]
    assert artist.findtext("realname") == ARTIST_11037["realname"]
    assert artist.find("members") is None
    assert artist.find("groups") is None
    assert artist.find("aliases") is None


def test_release_4497890_sets_its_node_properties() -> None:
    rows = graph_record_rows("releases", RELEASE_4497890, CURRENT_YEAR)
    assert rows.node.label == "Release"
    assert rows.node.key == "4497890"
    assert rows.node.properties == {
        "id": "4497890",
        "title": "The Show That Never Ends",
        "year": 2001,
        "formats": ["CD"],
        "sha256": SHA,
        "catalog_number": "SMD CD 370",
    }


def test_release_4497890_implies_exactly_these_edges_and_stubs() -> None:
    rows = graph_record_rows("releases", RELEASE_4497890, CURRENT_YEAR)
    release = release_ref("4497890")
    simon, brian = NodeRef("Person", "Simon Spall"), NodeRef("Person", "Brian Burrows (3)")
    assert set(rows.edges) == {
        Edge("BY", release, NodeRef("Artist", "39765")),
        Edge("IS", release, NodeRef("Genre", "Rock")),
        Edge("IS", release, NodeRef("Style", "Prog Rock")),
        Edge("PART_OF", NodeRef("Style", "Prog Rock"), NodeRef("Genre", "Rock")),
        Edge("ON", release, NodeRef("Label", "158904")),
        Edge("DERIVED_FROM", release, NodeRef("Master", "242931")),
        Edge("CREDITED_ON", simon, release, (("role", "Liner Notes"), ("category", "design"))),
        Edge("SAME_AS", simon, NodeRef("Artist", "3257209")),
        Edge("CREDITED_ON", brian, release, (("role", "Sleeve"), ("category", "design"))),
        Edge("SAME_AS", brian, NodeRef("Artist", "1059225")),
    }
    assert set(rows.stubs) == {
        StubNode(NodeRef("Artist", "39765"), "Emerson, Lake & Palmer"),
        StubNode(NodeRef("Genre", "Rock")),
        StubNode(NodeRef("Style", "Prog Rock")),
        StubNode(NodeRef("Label", "158904"), "Recall 2cd"),
        StubNode(NodeRef("Master", "242931")),
        StubNode(simon),
        StubNode(NodeRef("Artist", "3257209"), "Simon Spall"),
        StubNode(brian),
        StubNode(NodeRef("Artist", "1059225"), "Brian Burrows (3)"),
    }
    assert set(rows.kept_targets) == {
        KeptTargets("BY", "Artist", ("39765",)),
        KeptTargets("IS", "Genre", ("Rock",)),
        KeptTargets("IS", "Style", ("Prog Rock",)),
        KeptTargets("ON", "Label", ("158904",)),
        KeptTargets("DERIVED_FROM", "Master", ("242931",)),
    }


def test_artist_11037_is_one_node_without_edges() -> None:
    rows = graph_record_rows("artists", ARTIST_11037, CURRENT_YEAR)
    assert rows.node.label == "Artist"
    assert rows.node.properties == {
        "id": "11037",
        "name": "Soul Boy",
        "resource_url": "https://api.discogs.com/artists/11037",
        "releases_url": "https://api.discogs.com/artists/11037/releases",
        "sha256": SHA,
    }
    assert rows.stubs == ()
    assert rows.edges == ()
    assert rows.kept_targets == ()


# --- example records for each rule ---------------------------------------------------------------


def test_artist_members_point_at_it_and_it_points_at_its_groups() -> None:
    artist = {
        "id": "100",
        "sha256": SHA,
        "name": "The Band",
        "members": [{"id": "1", "name": "Ann"}, {"id": "2", "name": "Bob"}],
        "groups": [{"id": "300", "name": "Supergroup"}],
        "aliases": [{"id": "400", "name": "Band Alias"}],
    }
    rows = graph_record_rows("artists", artist, CURRENT_YEAR)
    me = NodeRef("Artist", "100")
    assert set(rows.edges) == {
        Edge("MEMBER_OF", NodeRef("Artist", "1"), me),
        Edge("MEMBER_OF", NodeRef("Artist", "2"), me),
        Edge("MEMBER_OF", me, NodeRef("Artist", "300")),
        Edge("ALIAS_OF", NodeRef("Artist", "400"), me),
    }
    assert {stub.name for stub in rows.stubs} == {"Ann", "Bob", "Supergroup", "Band Alias"}


def test_label_points_at_its_parent_and_its_sublabels_point_at_it() -> None:
    label = {
        "id": "10",
        "sha256": SHA,
        "name": "Child",
        "parentLabel": {"id": "1", "name": "Parent"},
        "sublabels": [{"id": "20", "name": "Grandchild"}, None],
    }
    rows = graph_record_rows("labels", label, CURRENT_YEAR)
    me = NodeRef("Label", "10")
    assert set(rows.edges) == {
        Edge("SUBLABEL_OF", me, NodeRef("Label", "1")),
        Edge("SUBLABEL_OF", NodeRef("Label", "20"), me),
    }
    assert rows.node.properties == {"id": "10", "name": "Child", "sha256": SHA}


def test_label_with_a_2017_text_parent_label_has_no_parent_edge() -> None:
    label = {"id": "10", "sha256": SHA, "name": "Child", "parentLabel": "Parent Records"}
    assert graph_record_rows("labels", label, CURRENT_YEAR).edges == ()


def test_2017_alias_carrying_a_name_as_id_creates_no_stub() -> None:
    artist = {"id": "5", "sha256": SHA, "name": "A", "aliases": [{"id": "Some Alias"}]}
    rows = graph_record_rows("artists", artist, CURRENT_YEAR)
    assert rows.edges == ()
    assert rows.stubs == ()


def test_master_links_artists_genres_styles_and_keeps_its_targets() -> None:
    master = {
        "id": "77",
        "sha256": SHA,
        "title": "Album",
        "year": "1999",
        "artists": [{"id": "5", "name": "A"}],
        "genres": ["Electronic", "Rock"],
        "styles": ["House"],
    }
    rows = graph_record_rows("masters", master, CURRENT_YEAR)
    me = NodeRef("Master", "77")
    assert rows.node.properties == {"id": "77", "title": "Album", "year": 1999, "sha256": SHA}
    assert set(rows.edges) == {
        Edge("BY", me, NodeRef("Artist", "5")),
        Edge("IS", me, NodeRef("Genre", "Electronic")),
        Edge("IS", me, NodeRef("Genre", "Rock")),
        Edge("IS", me, NodeRef("Style", "House")),
    }
    assert set(rows.kept_targets) == {
        KeptTargets("BY", "Artist", ("5",)),
        KeptTargets("IS", "Genre", ("Electronic", "Rock")),
        KeptTargets("IS", "Style", ("House",)),
    }


def test_release_with_two_genres_creates_no_part_of_edge() -> None:
    release = {**RELEASE_4497890, "genres": ["Rock", "Pop"], "styles": ["Prog Rock", "Ballad"]}
    assert edges_of(graph_record_rows("releases", release, CURRENT_YEAR), "PART_OF") == set()


def test_release_with_one_genre_tagged_twice_links_each_style_to_it() -> None:
    release = {**RELEASE_4497890, "genres": ["Rock", "Rock"], "styles": ["Prog Rock", "Art Rock"]}
    assert edges_of(graph_record_rows("releases", release, CURRENT_YEAR), "PART_OF") == {
        Edge("PART_OF", NodeRef("Style", "Prog Rock"), NodeRef("Genre", "Rock")),
        Edge("PART_OF", NodeRef("Style", "Art Rock"), NodeRef("Genre", "Rock")),
    }


def test_release_without_master_or_with_master_zero_has_no_derived_from_and_keeps_none() -> None:
    for master_id in (None, "0"):
        release = {key: value for key, value in RELEASE_4497890.items() if key != "master_id"}
        if master_id is not None:
            release["master_id"] = master_id
        rows = graph_record_rows("releases", release, CURRENT_YEAR)
        assert edges_of(rows, "DERIVED_FROM") == set()
        assert KeptTargets("DERIVED_FROM", "Master", ()) in rows.kept_targets
        assert all(stub.ref.label != "Master" for stub in rows.stubs)


def test_credit_with_artist_id_zero_gets_a_person_but_no_same_as() -> None:
    release = {**RELEASE_4497890, "extraartists": [{"id": "0", "name": "Jane Roe", "role": "Producer"}]}
    rows = graph_record_rows("releases", release, CURRENT_YEAR)
    assert edges_of(rows, "SAME_AS") == set()
    assert edges_of(rows, "CREDITED_ON") == {
        Edge(
            "CREDITED_ON",
            NodeRef("Person", "Jane Roe"),
            release_ref("4497890"),
            (("role", "Producer"), ("category", "production")),
        )
    }


def test_credits_without_a_name_or_a_role_are_not_people() -> None:
    release = {
        **RELEASE_4497890,
        "extraartists": [
            {"id": "1", "name": "No Role", "role": None},
            {"id": "2", "name": None, "role": "Producer"},
            {"id": "3", "name": "", "role": "Producer"},
        ],
    }
    rows = graph_record_rows("releases", release, CURRENT_YEAR)
    assert edges_of(rows, "CREDITED_ON") == set()
    assert edges_of(rows, "SAME_AS") == set()
    assert all(stub.ref.label != "Person" for stub in rows.stubs)


def test_release_formats_keep_order_and_duplicates() -> None:
    release = {
        **RELEASE_4497890,
        "formats": [{"name": "Vinyl", "qty": "1"}, {"name": "CD", "qty": "1"}, {"name": "Vinyl", "qty": "2"}],
    }
    assert graph_record_rows("releases", release, CURRENT_YEAR).node.properties["formats"] == [
        "Vinyl",
        "CD",
        "Vinyl",
    ]


def test_release_catalog_number_is_the_first_labels_catno_or_none() -> None:
    two_labels = [{"id": "1", "name": "A", "catno": "A-1"}, {"id": "2", "name": "B", "catno": "B-1"}]
    with_catno = {**RELEASE_4497890, "labels": two_labels}
    without_catno = {**RELEASE_4497890, "labels": [{"id": "1", "name": "A", "catno": ""}]}
    assert graph_record_rows("releases", with_catno, CURRENT_YEAR).node.properties["catalog_number"] == "A-1"
    assert (
        graph_record_rows("releases", without_catno, CURRENT_YEAR).node.properties["catalog_number"] is None
    )


def test_release_year_out_of_range_is_none() -> None:
    release = {**RELEASE_4497890, "released": "0000"}
    assert graph_record_rows("releases", release, CURRENT_YEAR).node.properties["year"] is None


@pytest.mark.parametrize(
    ("data_type", "name_property", "default"),
    [
        ("artists", "name", "Unknown Artist"),
        ("labels", "name", "Unknown Label"),
        ("masters", "title", "Unknown Master"),
        ("releases", "title", "Unknown Release"),
    ],
)
def test_record_without_a_name_gets_the_spec_default(
    data_type: str, name_property: str, default: str
) -> None:
    rows = graph_record_rows(data_type, {"id": "9", "sha256": SHA, name_property: None}, CURRENT_YEAR)
    assert rows.node.properties[name_property] == default


@pytest.mark.parametrize("record_id", [None, "", "0", "unknown", "-5", "12a"])
def test_record_without_a_discogs_id_is_rejected(record_id: str | None) -> None:
    with pytest.raises(GraphRecordError):
        graph_record_rows("releases", {"id": record_id, "sha256": SHA}, CURRENT_YEAR)


def test_record_without_sha256_is_rejected() -> None:
    with pytest.raises(GraphRecordError, match="sha256"):
        graph_record_rows("artists", {"id": "1", "name": "A"}, CURRENT_YEAR)


def test_unknown_data_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="release-groups"):
        graph_record_rows("release-groups", {"id": "1", "sha256": SHA}, CURRENT_YEAR)


def test_artist_listed_as_its_own_group_needs_no_stub_of_itself() -> None:
    artist = {"id": "100", "sha256": SHA, "name": "Solo", "groups": [{"id": "100", "name": "Solo"}]}
    rows = graph_record_rows("artists", artist, CURRENT_YEAR)
    assert rows.stubs == ()
    assert rows.edges == (Edge("MEMBER_OF", NodeRef("Artist", "100"), NodeRef("Artist", "100")),)


# --- credit categories ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "category"),
    [
        ("Producer", "production"),
        ("Executive Producer", "production"),
        ("Co-producer", "production"),
        ("Produced By", "production"),
        ("Engineer", "engineering"),
        ("Recorded By", "engineering"),
        ("Mixed By", "engineering"),
        ("Remix", "engineering"),
        ("Mastered By", "mastering"),
        ("Lacquer Cut By", "mastering"),
        ("Cut By", "mastering"),
        ("Mastering Engineer", "mastering"),
        ("Remastered By", "mastering"),
        ("Bass", "session"),
        ("Guitar", "session"),
        ("Drums", "session"),
        ("Vocals", "session"),
        ("Featuring", "session"),
        ("Artwork", "design"),
        ("Design", "design"),
        ("Photography", "design"),
        ("Liner Notes", "design"),
        ("Layout", "design"),
        ("Illustration", "design"),
        ("Art Direction", "design"),
        ("A&R", "management"),
        ("Management", "management"),
        ("Booking", "management"),
        ("Written-By", OTHER_CREDIT_CATEGORY),
        ("Composed By", OTHER_CREDIT_CATEGORY),
    ],
)
def test_spec_examples_fall_in_their_family(role: str, category: str) -> None:
    assert categorize_role(role) == category


@pytest.mark.parametrize(
    ("role", "category"),
    [
        ("Assistant Mastering Engineer", "mastering"),
        ("Remixed By", "engineering"),
        ("Backing Vocals", "session"),
        ("Bass Guitar", "session"),
        ("Photography By [Cover]", "design"),
        ("Graphic Design", "design"),
        ("Sound Designer", "engineering"),
        ("Production Manager", "management"),
        ("Recorded By [Drums]", "engineering"),
        ("Producer, Mixed By", "production"),
        ("Written-By [Blue Rondo A La Turk]", OTHER_CREDIT_CATEGORY),
    ],
)
def test_the_longest_contained_fragment_decides(role: str, category: str) -> None:
    assert categorize_role(role) == category


def test_a_role_is_trimmed_and_lowercased_before_matching() -> None:
    assert categorize_role("  MASTERED BY \n") == "mastering"


def test_no_fragment_belongs_to_two_families() -> None:
    counts = Counter(fragment for fragments in CREDIT_CATEGORIES.values() for fragment in fragments)
    assert [fragment for fragment, count in counts.items() if count > 1] == []


def test_every_fragment_is_its_own_familys_exact_match() -> None:
    for category, fragments in CREDIT_CATEGORIES.items():
        for fragment in fragments:
            assert categorize_role(fragment) == category, fragment


@given(role=st.text(alphabet=st.characters(codec="ascii"), max_size=30))
def test_category_ignores_case_and_surrounding_spaces(role: str) -> None:
    category = categorize_role(role)
    assert category in {*CREDIT_CATEGORIES, OTHER_CREDIT_CATEGORY}
    assert categorize_role(f" {role.upper()} ") == category


@given(role=st.text(alphabet="xyzqjk -[]", max_size=20))
def test_a_role_containing_no_fragment_is_other(role: str) -> None:
    assert categorize_role(role) == OTHER_CREDIT_CATEGORY


# --- properties over generated records -----------------------------------------------------------

positive_ids = st.integers(1, 60).map(str)
any_ids = st.one_of(positive_ids, st.sampled_from(["0", "", "Some Name", "007"]), st.none())
names = st.one_of(st.none(), st.just(""), st.sampled_from(["Ann", "Bob", "Various", "Ünïcode"]))
genre_names = st.sampled_from(["Rock", "Jazz", "Electronic", ""])
style_names = st.sampled_from(["House", "Techno", "Bop", "Prog Rock"])
roles = st.one_of(st.none(), st.just(""), st.sampled_from(["Producer", "Bass", "Mastered By", "Written-By"]))


def credit(extra: dict[str, st.SearchStrategy[Any]] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"name": names}, optional={"id": any_ids, **(extra or {})})


def optional_lists(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Item lists as §4 leaves them: present with at least one item, or absent."""
    return st.fixed_dictionaries(
        {}, optional={field: st.lists(items, min_size=1, max_size=5) for field, items in fields.items()}
    )


def with_identity(record_id: st.SearchStrategy[str] = positive_ids) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"id": record_id, "sha256": st.just(SHA)})


def merged(*parts: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(*parts).map(lambda dicts: {key: value for part in dicts for key, value in part.items()})


artist_records = merged(
    with_identity(),
    st.fixed_dictionaries({}, optional={"name": names}),
    optional_lists(members=credit(), groups=credit(), aliases=credit()),
)
label_records = merged(
    with_identity(),
    st.fixed_dictionaries({}, optional={"name": names, "parentLabel": st.one_of(credit(), st.just("Text"))}),
    optional_lists(sublabels=st.one_of(credit(), st.none())),
)
master_records = merged(
    with_identity(),
    st.fixed_dictionaries({}, optional={"title": names, "year": st.sampled_from(["1999", "0", "", "2100"])}),
    optional_lists(artists=credit(), genres=genre_names, styles=style_names),
)
release_records = merged(
    with_identity(),
    st.fixed_dictionaries(
        {},
        optional={
            "title": names,
            "released": st.sampled_from(["1999-01-01", "0", "", "1850", "2001"]),
            "master_id": any_ids,
        },
    ),
    optional_lists(
        artists=credit(),
        labels=credit({"catno": st.sampled_from(["", "CAT 1", "none"])}),
        extraartists=credit({"role": roles}),
        formats=st.fixed_dictionaries(
            {"qty": st.just("1")}, optional={"name": st.sampled_from(["CD", "Vinyl", ""])}
        ),
        genres=genre_names,
        styles=style_names,
    ),
)
RECORDS_BY_TYPE = {
    "artists": artist_records,
    "labels": label_records,
    "masters": master_records,
    "releases": release_records,
}
typed_records = st.sampled_from(sorted(RECORDS_BY_TYPE)).flatmap(
    lambda data_type: st.tuples(st.just(data_type), RECORDS_BY_TYPE[data_type])
)


@given(typed_record=typed_records)
def test_every_edge_endpoint_is_the_record_or_one_of_its_stubs(
    typed_record: tuple[str, dict[str, Any]],
) -> None:
    data_type, record = typed_record
    rows = graph_record_rows(data_type, record, CURRENT_YEAR)
    known = {rows.node.ref} | {stub.ref for stub in rows.stubs}
    for edge in rows.edges:
        assert edge.source in known
        assert edge.target in known


@given(typed_record=typed_records)
def test_edges_and_stubs_are_deduplicated_and_the_record_is_no_stub(
    typed_record: tuple[str, dict[str, Any]],
) -> None:
    data_type, record = typed_record
    rows = graph_record_rows(data_type, record, CURRENT_YEAR)
    assert len(set(rows.edges)) == len(rows.edges)
    stub_refs = [stub.ref for stub in rows.stubs]
    assert len(set(stub_refs)) == len(stub_refs)
    assert rows.node.ref not in stub_refs


@given(typed_record=typed_records)
def test_every_edge_is_one_the_schema_declares(typed_record: tuple[str, dict[str, Any]]) -> None:
    data_type, record = typed_record
    rows = graph_record_rows(data_type, record, CURRENT_YEAR)
    declared = {(rel.name, *endpoints) for rel in RELATIONSHIP_TYPES for endpoints in rel.endpoints}
    for edge in rows.edges:
        assert (edge.type, edge.source.label, edge.target.label) in declared


@given(typed_record=typed_records)
def test_entity_stubs_have_positive_ids_and_never_id_zero(typed_record: tuple[str, dict[str, Any]]) -> None:
    data_type, record = typed_record
    rows = graph_record_rows(data_type, record, CURRENT_YEAR)
    for stub in rows.stubs:
        if KIND_BY_LABEL[stub.ref.label].key == "id":
            assert stub.ref.key.isdigit()
            assert int(stub.ref.key) > 0
        else:
            assert stub.ref.key != ""


@given(typed_record=typed_records)
def test_record_node_carries_exactly_its_shape_properties(typed_record: tuple[str, dict[str, Any]]) -> None:
    data_type, record = typed_record
    rows = graph_record_rows(data_type, record, CURRENT_YEAR)
    shape = RECORD_NODE_SHAPES[data_type]
    assert tuple(rows.node.properties) == shape.properties
    assert rows.node.properties["id"] == record["id"]
    assert rows.node.properties["sha256"] == SHA


@given(record=release_records)
def test_release_with_exactly_one_genre_links_every_style_to_it_and_otherwise_none(
    record: dict[str, Any],
) -> None:
    rows = graph_record_rows("releases", record, CURRENT_YEAR)
    genres = {genre for genre in record.get("genres", []) if genre}
    styles = {style for style in record.get("styles", []) if style}
    part_of = {(edge.source.key, edge.target.key) for edge in edges_of(rows, "PART_OF")}
    if len(genres) == 1:
        assert part_of == {(style, next(iter(genres))) for style in styles}
    else:
        assert part_of == set()


@given(record=release_records)
def test_release_formats_are_the_format_names_in_order(record: dict[str, Any]) -> None:
    rows = graph_record_rows("releases", record, CURRENT_YEAR)
    assert rows.node.properties["formats"] == [
        fmt["name"] for fmt in record.get("formats", []) if fmt.get("name")
    ]


@given(record=release_records)
def test_credits_are_the_distinct_named_roles(record: dict[str, Any]) -> None:
    rows = graph_record_rows("releases", record, CURRENT_YEAR)
    expected = {
        (credit["name"], credit["role"])
        for credit in record.get("extraartists", [])
        if credit.get("name") and credit.get("role")
    }
    credited = {(edge.source.key, dict(edge.properties)["role"]) for edge in edges_of(rows, "CREDITED_ON")}
    assert credited == expected
    assert len(edges_of(rows, "CREDITED_ON")) == len(expected)


@given(
    typed_record=st.sampled_from(["masters", "releases"]).flatmap(
        lambda t: st.tuples(st.just(t), RECORDS_BY_TYPE[t])
    )
)
def test_kept_targets_are_the_complete_new_targets_including_empty_ones(
    typed_record: tuple[str, dict[str, Any]],
) -> None:
    data_type, record = typed_record
    rows = graph_record_rows(data_type, record, CURRENT_YEAR)
    expected_shapes = {("BY", "Artist"), ("IS", "Genre"), ("IS", "Style")}
    if data_type == "releases":
        expected_shapes |= {("ON", "Label"), ("DERIVED_FROM", "Master")}
    assert {(kept.type, kept.target_label) for kept in rows.kept_targets} == expected_shapes
    for kept in rows.kept_targets:
        targets = {
            edge.target.key
            for edge in rows.edges
            if edge.type == kept.type
            and edge.source == rows.node.ref
            and edge.target.label == kept.target_label
        }
        assert set(kept.keys) == targets
        assert len(kept.keys) == len(targets)


# --- batches -------------------------------------------------------------------------------------


def batch_of(data_type: str, records: Sequence[dict[str, Any]]) -> GraphBatch:
    return graph_batch(data_type, [graph_record_rows(data_type, record, CURRENT_YEAR) for record in records])


def assert_uniform(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
    assert rows, "an empty statement is never emitted"
    for row in rows:
        assert tuple(row) == keys
    for key in keys:
        assert len({type(row[key]) for row in rows if row[key] is not None}) <= 1, key


batches = st.sampled_from(sorted(RECORDS_BY_TYPE)).flatmap(
    lambda data_type: st.tuples(st.just(data_type), st.lists(RECORDS_BY_TYPE[data_type], max_size=8))
)


@given(typed_batch=batches)
def test_batch_rows_have_the_same_keys_and_value_types_per_shape(
    typed_batch: tuple[str, list[dict[str, Any]]],
) -> None:
    data_type, records = typed_batch
    batch = batch_of(data_type, records)
    if batch.record_nodes:
        assert_uniform(batch.record_nodes, batch.record_shape.properties)
    for node_shape, node_rows in batch.stub_nodes.items():
        assert node_shape == STUB_NODE_SHAPES[node_shape.label]
        assert_uniform(node_rows, node_shape.properties)
    for edge_shape, edge_rows in batch.edges.items():
        assert edge_shape in EDGE_SHAPES.values()
        assert_uniform(edge_rows, edge_shape.row_keys)
    for prune_shape, prune_rows in batch.prunes.items():
        assert prune_shape.source_label == batch.record_shape.label
        assert_uniform(prune_rows, ("source", "keep"))
        assert all(isinstance(row["keep"], list) for row in prune_rows)


@given(typed_batch=batches)
def test_batch_rows_are_deduplicated_and_every_edge_end_is_written_by_the_batch(
    typed_batch: tuple[str, list[dict[str, Any]]],
) -> None:
    data_type, records = typed_batch
    batch = batch_of(data_type, records)
    record_keys = [row["id"] for row in batch.record_nodes]
    assert len(set(record_keys)) == len(record_keys)
    written = {(batch.record_shape.label, key) for key in record_keys}
    for node_shape, node_rows in batch.stub_nodes.items():
        stub_keys = [(node_shape.label, row[node_shape.key]) for row in node_rows]
        assert len(set(stub_keys)) == len(stub_keys)
        assert not written & set(stub_keys), "a record of the batch is never also a stub"
        written |= set(stub_keys)
    for edge_shape, edge_rows in batch.edges.items():
        as_tuples = [tuple(row.values()) for row in edge_rows]
        assert len(set(as_tuples)) == len(as_tuples)
        for row in edge_rows:
            assert (edge_shape.source_label, row["source"]) in written
            assert (edge_shape.target_label, row["target"]) in written


@given(records=st.lists(release_records, min_size=1, max_size=6))
def test_of_two_records_with_one_id_the_later_one_is_written(records: list[dict[str, Any]]) -> None:
    batch = batch_of("releases", records)
    latest = {record["id"]: record for record in records}
    assert sorted(batch.record_ids) == sorted(latest)
    for row in batch.record_nodes:
        expected = graph_record_rows("releases", latest[str(row["id"])], CURRENT_YEAR).node.properties
        assert row == expected
    by_artist = EDGE_SHAPES[("BY", "Release", "Artist")]
    prune_sources = [str(row["source"]) for row in batch.prunes.get(by_artist, [])]
    assert sorted(prune_sources) == sorted(latest)


def test_batch_drops_stubs_of_records_it_writes_and_keeps_the_first_credited_name() -> None:
    band = {"id": "1", "sha256": SHA, "name": "Band", "members": [{"id": "2", "name": "Ann"}]}
    ann = {"id": "2", "sha256": SHA, "name": "Ann", "groups": [{"id": "1", "name": "Band"}, {"id": "3"}]}
    other = {"id": "4", "sha256": SHA, "name": "X", "groups": [{"id": "3", "name": "Trio"}]}
    batch = batch_of("artists", [band, ann, other])
    assert batch.stub_nodes == {STUB_NODE_SHAPES["Artist"]: [{"id": "3", "name": "Trio"}]}
    assert batch.edges == {
        EDGE_SHAPES[("MEMBER_OF", "Artist", "Artist")]: [
            {"source": "2", "target": "1"},
            {"source": "2", "target": "3"},
            {"source": "4", "target": "3"},
        ]
    }
    assert batch.prunes == {}


def test_release_batch_rows_for_the_sample_are_what_the_adapters_unwind() -> None:
    batch = batch_of("releases", [RELEASE_4497890, RELEASE_4497890])
    assert batch.record_nodes == [
        {
            "id": "4497890",
            "title": "The Show That Never Ends",
            "year": 2001,
            "formats": ["CD"],
            "sha256": SHA,
            "catalog_number": "SMD CD 370",
        }
    ]
    assert batch.stub_nodes[STUB_NODE_SHAPES["Master"]] == [{"id": "242931"}]
    assert batch.stub_nodes[STUB_NODE_SHAPES["Person"]] == [
        {"name": "Simon Spall"},
        {"name": "Brian Burrows (3)"},
    ]
    assert batch.edges[EDGE_SHAPES[("CREDITED_ON", "Person", "Release")]] == [
        {"source": "Simon Spall", "target": "4497890", "role": "Liner Notes", "category": "design"},
        {"source": "Brian Burrows (3)", "target": "4497890", "role": "Sleeve", "category": "design"},
    ]
    assert batch.prunes[EDGE_SHAPES[("DERIVED_FROM", "Release", "Master")]] == [
        {"source": "4497890", "keep": ["242931"]}
    ]


def test_shapes_use_only_what_the_schema_declares() -> None:
    for shape in [*RECORD_NODE_SHAPES.values(), *STUB_NODE_SHAPES.values()]:
        kind = KIND_BY_LABEL[shape.label]
        assert shape.key == kind.key == shape.properties[0]
        assert set(shape.properties) <= set(kind.property_names)
    declared = {rel.name: {name for name, _ in rel.properties} for rel in RELATIONSHIP_TYPES}
    for edge_shape in EDGE_SHAPES.values():
        assert set(edge_shape.merge_properties + edge_shape.set_properties) <= declared[edge_shape.type]


def test_batch_of_mixed_types_is_rejected() -> None:
    with pytest.raises(ValueError, match="artists"):
        graph_batch("releases", [graph_record_rows("artists", ARTIST_11037, CURRENT_YEAR)])
