"""The trends, path, search and genres panes in Chromium against the real app."""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from playwright.sync_api import Page, expect

from tests.e2e import sample_releases as sample
from tests.e2e.explorer import labels, nodes, pick

PERSUADER_ID = "1"
EN_DASH = "\u2013"
"""Between the ends of a range of years or results, as the page writes it."""


def plotted_traces(page: Page) -> list[dict[str, Any]]:
    """The traces Plotly holds for the trends chart: name, x and y of each."""
    traces: list[dict[str, Any]] = page.evaluate(
        """() => document.querySelector("#trends-chart").data.map(
            trace => ({ name: trace.name, x: Array.from(trace.x), y: Array.from(trace.y) }))"""
    )
    return traces


def test_trends_charts_an_artist_against_a_label(page: Page, api: httpx.Client) -> None:
    page.goto("/?pane=trends")
    expect(page.locator("#trends-empty")).to_be_visible()
    pick(page, "trends-a", "Persuader", "The Persuader")
    page.locator("#trends-type-1").select_option("label")
    pick(page, "trends-b", "Svek", "Svek")
    page.wait_for_function("document.querySelector('#trends-chart')?.data?.length === 2")

    persuader = sample.yearly_counts(sample.by_artist(PERSUADER_ID))
    svek = sample.yearly_counts([release for release in sample.releases() if "Svek" in release.labels])
    assert plotted_traces(page) == [
        {"name": "The Persuader (Artist)", "x": list(persuader), "y": list(persuader.values())},
        {"name": "Svek (Label)", "x": list(svek), "y": list(svek.values())},
    ]
    served = api.get("/trends", params={"name": "Svek", "type": "label"}).json()["data"]
    assert [(point["year"], point["count"]) for point in served] == list(svek.items())
    peak = max(persuader, key=lambda year: persuader[year])
    expect(page.locator("#trends-summary-0")).to_have_text(
        f"{sum(persuader.values())} releases, {min(persuader)}{EN_DASH}{max(persuader)}, "
        f"peak {peak} ({persuader[peak]})"
    )
    # Two lines are drawn, in the chart's own SVG.
    expect(page.locator("#trends-chart .scatterlayer .trace")).to_have_count(2)

    page.get_by_role("button", name="Clear the comparison").click()
    page.wait_for_function("document.querySelector('#trends-chart').data.length === 1")
    assert [trace["name"] for trace in plotted_traces(page)] == ["The Persuader (Artist)"]


def test_path_is_drawn_in_order_and_a_node_opens_the_explorer(page: Page, api: httpx.Client) -> None:
    page.goto("/?pane=path")
    pick(page, "path-from", "Persuader", "The Persuader")
    pick(page, "path-to", "Josh Wink", "Josh Wink")
    page.locator("#path-find").click()

    answer = api.get("/path", params={"from_name": "The Persuader", "to_name": "Josh Wink"}).json()
    assert answer["found"]
    steps = answer["path"]
    expect(page.locator("#path-status")).to_contain_text(f"{answer['length']} steps")
    expect(page.locator("#path-graph .graph-node")).to_have_count(len(steps))
    assert [node.label for node in nodes(page, "path-graph")] == [step["name"] for step in steps]
    assert [node.type for node in nodes(page, "path-graph")] == [step["type"] for step in steps]
    edge_labels = page.locator("#path-graph .graph-link-label").all_text_contents()
    assert edge_labels == [step["rel"] for step in steps[1:]]
    expect(page.locator("#path-steps button")).to_have_count(len(steps))

    # Each hop is one the dump states: a release's artists (BY), labels (ON), genres or styles (IS).
    for before, after in itertools.pairwise(steps):
        release, other = (before, after) if before["type"] == "release" else (after, before)
        assert release["type"] == "release", (before, after)
        facts = sample.by_id(release["id"])
        field = {"artist": "artists", "label": "labels", "genre": "genres", "style": "styles"}[other["type"]]
        assert other["name"] in getattr(facts, field), (before, after)

    # One step short of that length, there is no path.
    page.locator("#path-depth").select_option(str(answer["length"] - 1))
    page.locator("#path-find").click()
    expect(page.locator("#path-status")).to_contain_text(
        f"No path between The Persuader and Josh Wink within {answer['length'] - 1} steps"
    )
    expect(page.locator("#path-empty")).to_contain_text("Nothing found")

    page.locator("#path-depth").select_option(str(answer["length"]))
    page.locator("#path-find").click()
    expect(page.locator("#path-graph .graph-node")).to_have_count(len(steps))
    page.locator('#path-graph [data-id="step-0"] circle').click()
    expect(page.locator("#pane-explore")).to_be_visible()
    expect(page.locator("#explore-graph [data-kind=center]")).to_have_attribute("data-label", "The Persuader")
    assert parse_qs(urlparse(page.url).query) == {"name": ["The Persuader"], "type": ["artist"]}


def result_names(page: Page) -> list[str]:
    return [name.strip() for name in page.locator("#search-results .result-name").all_inner_texts()]


def test_search_filters_pages_and_opens_a_result(page: Page, api: httpx.Client) -> None:
    page.goto("/?pane=search")
    expect(page.locator("#search-empty")).to_be_visible()
    page.locator("#search-query").fill("love")
    everything = api.get("/search", params={"q": "love", "limit": 20}).json()
    assert everything["total"] > 20, "the sample has more than one page of 'love'"
    expect(page.locator("#search-summary")).to_have_text(f"1{EN_DASH}20 of {everything['total']} results")
    assert result_names(page) == [result["name"] for result in everything["results"]]
    for kind, count in everything["facets"]["type"].items():
        expect(page.locator(f'#pane-search button.chip[data-type="{kind}"]')).to_contain_text(str(count))

    page.locator("#search-pages").get_by_role("button", name="2", exact=True).click()
    second = api.get("/search", params={"q": "love", "limit": 20, "offset": 20}).json()
    shown_to = 20 + len(second["results"])
    summary = page.locator("#search-summary")
    expect(summary).to_have_text(f"21{EN_DASH}{shown_to} of {second['total']} results")
    assert result_names(page) == [result["name"] for result in second["results"]]
    expect(page.locator('#search-pages [aria-current="page"]')).to_have_text("2")

    page.locator('#pane-search button.chip[data-type="master"]').click()
    no_masters = api.get("/search", params={"q": "love", "types": "artist,label,release", "limit": 20}).json()
    expect(page.locator("#search-summary")).to_contain_text(f"of {no_masters['total']} results")
    assert result_names(page) == [result["name"] for result in no_masters["results"]]
    kinds = page.locator("#search-results button[data-type]").evaluate_all(
        "elements => elements.map(element => element.dataset.type)"
    )
    assert "master" not in kinds

    page.locator("#search-genres button", has_text="Electronic").click()
    electronic = api.get(
        "/search", params={"q": "love", "types": "artist,label,release", "genres": "Electronic", "limit": 20}
    ).json()
    expect(page.locator("#search-summary")).to_contain_text(f"of {electronic['total']} results")
    assert result_names(page) == [result["name"] for result in electronic["results"]]
    for result in electronic["results"]:
        if result["type"] == "release":
            assert "Electronic" in sample.by_id(str(result["id"])).genres

    page.locator("#search-decades button", has_text="1990s").click()
    expect(page.locator("#search-year-min")).to_have_value("1990")
    expect(page.locator("#search-year-max")).to_have_value("1999")
    nineties = api.get(
        "/search",
        params={
            "q": "love",
            "types": "artist,label,release",
            "genres": "Electronic",
            "year_min": 1990,
            "year_max": 1999,
            "limit": 20,
        },
    ).json()
    expect(page.locator("#search-summary")).to_contain_text(f"of {nineties['total']} results")
    assert result_names(page) == [result["name"] for result in nineties["results"]]
    for result in nineties["results"]:
        if result["type"] == "release":
            year = sample.by_id(str(result["id"])).year
            assert year is None or 1990 <= year <= 1999, result

    artist = next(result for result in nineties["results"] if result["type"] == "artist")
    page.locator(f'#search-results button[data-type="artist"][data-id="{artist["id"]}"]').click()
    expect(page.locator("#pane-explore")).to_be_visible()
    expect(page.locator("#explore-graph [data-kind=center]")).to_have_attribute("data-label", artist["name"])


def test_genre_tree_lists_every_genre_with_its_count_and_styles(page: Page, api: httpx.Client) -> None:
    page.goto("/?pane=genres")
    tree = api.get("/genre-tree").json()["genres"]
    counts = sample.genre_release_counts()
    rows = page.locator("#genre-tree > li")
    expect(rows).to_have_count(len(tree))
    assert [name.strip() for name in page.locator("#genre-tree .genre-name").all_inner_texts()] == [
        genre["name"] for genre in tree
    ]
    count_texts = page.locator("#genre-tree .genre-count").all_inner_texts()
    shown_counts = [int(text.replace(",", "")) for text in count_texts]
    assert shown_counts == [counts[genre["name"]] for genre in tree]

    first = tree[0]
    row = page.locator(f'#genre-tree > li[data-genre="{first["name"]}"]')
    row.get_by_role("button", name=f"Show the styles of {first['name']}").click()
    style_buttons = row.locator("button[data-style]")
    expect(style_buttons).to_have_count(len(first["styles"]))
    shown_styles = style_buttons.evaluate_all("elements => elements.map(element => element.dataset.style)")
    assert shown_styles == [style["name"] for style in first["styles"]]

    page.locator("#genre-filter").fill("house")
    matching = [
        genre["name"]
        for genre in tree
        if "house" in genre["name"].lower() or any("house" in s["name"].lower() for s in genre["styles"])
    ]
    expect(rows).to_have_count(len(matching))
    expect(page.locator("#genre-tree .genre-name")).to_have_text(matching)

    page.locator("#genre-tree .genre-name", has_text=re.compile(f"^{re.escape(matching[0])}$")).click()
    expect(page.locator("#explore-graph [data-kind=center]")).to_have_attribute("data-label", matching[0])
    assert labels(page, "explore-graph", "center") == [matching[0]]
