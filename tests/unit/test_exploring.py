"""The pure parts of the read use cases: highlight escaping, search cache keys, cluster grouping."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from domain.explore import UNKNOWN_CLUSTER, Neighbour, clusters_of
from domain.exploring import safe_highlight, search_cache_key
from domain.tables import SearchQuery

names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(before=names, marked=names, after=names)
def test_a_highlight_shows_the_name_as_text_with_only_the_markers_as_markup(
    before: str, marked: str, after: str
) -> None:
    safe = safe_highlight(f"{before}<b>{marked}</b>{after}")

    without_markers = safe.replace("<b>", "").replace("</b>", "")
    assert "<" not in without_markers
    assert ">" not in without_markers
    assert html.unescape(without_markers) == html.unescape(html.escape(before + marked + after))


def test_markup_in_a_name_is_escaped() -> None:
    assert safe_highlight("<script>alert(1)</script> <b>Rock</b>") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <b>Rock</b>"
    )


@given(
    text=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ", min_size=3, max_size=30),
    genres=st.lists(st.sampled_from(["Rock", "Jazz", "Pop"]), unique=True),
)
def test_search_keys_ignore_case_spacing_and_list_order(text: str, genres: list[str]) -> None:
    one = SearchQuery(text=f"  {text.upper()} ", data_types=("releases", "artists"), genres=tuple(genres))
    other = SearchQuery(text=text.lower(), data_types=("artists", "releases"), genres=tuple(reversed(genres)))

    assert search_cache_key(one) == search_cache_key(other)
    assert re.fullmatch("search:[0-9a-f]{32}", search_cache_key(one))


def test_search_keys_differ_by_page() -> None:
    first = SearchQuery(text="rock", offset=0)
    second = SearchQuery(text="rock", offset=20)

    assert search_cache_key(first) != search_cache_key(second)


neighbours = st.lists(
    st.builds(
        Neighbour,
        artist_id=st.text("0123456789", min_size=1, max_size=4),
        artist_name=st.text(max_size=5),
        shared_releases=st.integers(1, 50),
        primary_genre=st.sampled_from([None, "Rock", "Jazz", "Electronic"]),
    ),
    max_size=30,
    unique_by=lambda n: n.artist_id,
).map(tuple)


@given(neighbours)
def test_clusters_hold_every_neighbour_once_biggest_first(members: tuple[Neighbour, ...]) -> None:
    clusters = clusters_of(members)

    assert sorted((m for c in clusters for m in c.members), key=members.index) == list(members)
    sizes = [len(c.members) for c in clusters]
    assert sizes == sorted(sizes, reverse=True)
    for cluster in clusters:
        assert {m.primary_genre or UNKNOWN_CLUSTER for m in cluster.members} == {cluster.label}
        assert list(cluster.members) == [
            m for m in members if (m.primary_genre or UNKNOWN_CLUSTER) == cluster.label
        ]
