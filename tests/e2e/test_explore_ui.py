"""The explore pane in Chromium against the real app: autocomplete, the centre and its categories,
expanding 30 at a time, the node panel, the address bar, and the Vinyl Archaeology scrubber."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urlparse

import httpx
from playwright.sync_api import Page, expect

from tests.e2e import sample_releases as sample
from tests.e2e.explorer import expect_node_count, labels, node, nodes, pick

GRAPH = "explore-graph"
PERSUADER_ID = "1"
VARIOUS_ID = "194"


def url_state(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_keyboard_autocomplete_centres_the_artist_with_its_categories(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    stats = api.get("/graph/stats").json()["counts"]
    expect(page.locator("#explore-empty")).to_contain_text("Start with a name")
    expect(page.locator("#graph-stats")).to_contain_text(f"{stats['releases']:,} releases")

    box = page.locator("#explore-search")
    box.fill("Persuader")
    suggestions = api.get("/autocomplete", params={"q": "Persuader", "type": "artist"}).json()["results"]
    options = page.locator("#explore-search-listbox li[role=option]:not([aria-disabled])")
    expect(options).to_have_text([item["name"] for item in suggestions])
    box.press("Escape")
    expect(page.locator("#explore-search-listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("Persuader")

    pick(page, "explore-search", "Persuader", "The Persuader")

    expect(node(page, GRAPH, kind="center")).to_be_visible()
    assert labels(page, GRAPH, "center") == ["The Persuader"]
    explored = api.get("/explore", params={"name": "The Persuader", "type": "artist"}).json()
    assert labels(page, GRAPH, "category") == [
        f"{category['name']} ({category['count']})" for category in explored["categories"]
    ]
    assert f"Releases ({len(sample.by_artist(PERSUADER_ID))})" in labels(page, GRAPH, "category")
    assert url_state(page) == {"name": ["The Persuader"], "type": ["artist"]}


def test_releases_expand_thirty_at_a_time_until_all_are_shown(page: Page, api: httpx.Client) -> None:
    page.goto("/?name=Various&type=artist")
    dump_titles = Counter(release.title for release in sample.by_artist(VARIOUS_ID))
    assert sum(dump_titles.values()) == 60
    expect(page.locator(f'#{GRAPH} [data-id="cat:releases"]')).to_have_attribute(
        "data-label", "Releases (60)"
    )

    node(page, GRAPH, id="cat:releases").click()
    expect_node_count(page, GRAPH, "entity", 30)
    first_page = api.get(
        "/expand", params={"node_id": "Various", "type": "artist", "category": "releases", "limit": 30}
    ).json()
    shown = Counter(labels(page, GRAPH, "entity"))
    assert shown == Counter(child["name"] for child in first_page["children"])
    assert shown <= dump_titles
    assert labels(page, GRAPH, "more") == ["Load 30 more…"]

    node(page, GRAPH, kind="more").click()
    expect_node_count(page, GRAPH, "entity", 60)
    assert Counter(labels(page, GRAPH, "entity")) == dump_titles
    assert labels(page, GRAPH, "more") == []

    # The keyboard reaches the category too: Enter on it collapses the 60 releases.
    page.locator(f'#{GRAPH} [data-id="cat:releases"]').focus()
    page.keyboard.press("Enter")
    expect_node_count(page, GRAPH, "entity", 0)


def test_a_release_opens_its_details_and_a_label_there_becomes_the_centre(page: Page) -> None:
    page.goto("/?name=The%20Persuader&type=artist")
    node(page, GRAPH, id="cat:releases").click()
    expect_node_count(page, GRAPH, "entity", 3)
    assert sorted(labels(page, GRAPH, "entity")) == sorted(r.title for r in sample.by_artist(PERSUADER_ID))

    stockholm = sample.by_id("1")
    node(page, GRAPH, label=stockholm.title).click()
    panel = page.locator("#inspector")
    expect(panel).to_be_visible()
    expect(page.locator("#inspector-title")).to_have_text(stockholm.title)
    expect(page.locator("#inspector-facts")).to_contain_text(str(stockholm.year))
    for field in ("artists", "labels", "genres", "styles"):
        expect(page.locator(f"#inspector-{field} button")).to_have_text(list(getattr(stockholm, field)))

    page.locator("#inspector-labels button", has_text="Svek").click()
    expect(page.locator(f"#{GRAPH} [data-kind=center]")).to_have_attribute("data-label", "Svek")
    svek_releases = [release for release in sample.releases() if "Svek" in release.labels]
    expect(page.locator(f'#{GRAPH} [data-id="cat:releases"]')).to_have_attribute(
        "data-label", f"Releases ({len(svek_releases)})"
    )
    assert url_state(page) == {"name": ["Svek"], "type": ["label"]}

    page.go_back()
    expect(page.locator(f"#{GRAPH} [data-kind=center]")).to_have_attribute("data-label", "The Persuader")


def test_the_year_scrubber_shows_the_graph_as_it_stood_in_a_year(page: Page, api: httpx.Client) -> None:
    page.goto("/?name=The%20Persuader&type=artist")
    year_range = api.get("/explore/year-range").json()
    dated = [release.year for release in sample.releases() if release.year is not None]
    assert year_range == {"min_year": max(1900, min(dated)), "max_year": min(2030, max(dated))}
    slider = page.locator("#timeline-slider")
    expect(slider).to_have_attribute("min", str(year_range["min_year"]))
    expect(slider).to_have_attribute("max", str(year_range["max_year"]))
    expect(page.locator("#timeline-year")).to_have_text("All years")

    node(page, GRAPH, id="cat:releases").click()
    expect_node_count(page, GRAPH, "entity", 3)
    slider.fill("1998")
    expect(page.locator("#timeline-year")).to_have_text("Up to 1998")
    by_1998 = [r for r in sample.by_artist(PERSUADER_ID) if r.year is not None and r.year <= 1998]
    expect_node_count(page, GRAPH, "entity", len(by_1998))
    assert sorted(labels(page, GRAPH, "entity")) == sorted(release.title for release in by_1998)
    expect(page.locator(f'#{GRAPH} [data-id="cat:releases"]')).to_have_attribute(
        "data-label", f"Releases ({len(by_1998)} by 1998)"
    )
    genres = [name for name, year in sample.first_years("genres").items() if year <= 1998]
    styles = [name for name, year in sample.first_years("styles").items() if year <= 1998]
    expect(page.locator("#emergence-genre-count")).to_have_text(str(len(genres)))
    expect(page.locator("#emergence-style-count")).to_have_text(str(len(styles)))

    play = page.locator("#timeline-play")
    play.click()
    expect(play).to_have_text("Pause")
    expect(page.locator("#timeline-year")).not_to_have_text("Up to 1998", timeout=6000)
    play.click()
    expect(play).to_have_text("Play")
    played_to = int(page.locator("#timeline-year").inner_text().removeprefix("Up to "))
    assert played_to > 1998

    page.locator("#timeline-reset").click()
    expect(page.locator("#timeline-year")).to_have_text("All years")
    expect_node_count(page, GRAPH, "entity", 3)


def test_a_genre_is_dimmed_before_it_appears_and_marked_new_in_its_first_year(page: Page) -> None:
    genre_years = sample.first_years("genres")
    style_years = sample.first_years("styles")
    first = genre_years["Electronic"]
    page.goto("/?name=Electronic&type=genre")
    node(page, GRAPH, id="cat:styles").click()
    expect(page.locator(f"#{GRAPH} [data-kind=entity]").first).to_be_visible()

    page.locator("#timeline-slider").fill(str(first - 1))
    expect(page.locator("#timeline-year")).to_have_text(f"Up to {first - 1}")
    expect(page.locator(f"#{GRAPH} [data-kind=center]")).to_have_class(re.compile(r"\bis-dimmed\b"))
    expect_node_count(page, GRAPH, "entity", 0)

    page.locator("#timeline-slider").fill(str(first))
    expect(page.locator(f"#{GRAPH} [data-kind=center]")).not_to_have_class(re.compile(r"\bis-dimmed\b"))
    new_in_year = [f"{name} (genre)" for name, year in genre_years.items() if year == first] + [
        f"{name} (style)" for name, year in style_years.items() if year == first
    ]
    chips = page.locator("#emergence button")
    expect(chips).to_have_count(len(new_in_year))
    assert sorted(chips.all_inner_texts()) == sorted(new_in_year)
    styles_then = {n.label: n.classes for n in nodes(page, GRAPH) if n.kind == "entity"}
    assert styles_then, "the styles of the genre's first year"
    for style, classes in styles_then.items():
        assert ("is-fresh" in classes) == (style_years[style] == first), style
