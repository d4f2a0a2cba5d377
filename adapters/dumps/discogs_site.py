"""Finding the newest complete Discogs dump: the data site's HTML listing, or an S3 bucket listing.

The data site (SPEC-ingest §2) shows year directories as `?prefix=data%2FYYYY%2F` links and files
as `?download=data%2FYYYY%2Fdiscogs_YYYYMMDD_<rest>` links; the bucket behind it answers
`ListBucketResult` XML where listing is allowed. Both give storage keys; which version is complete
is decided by domain.dumps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from lxml import etree

from adapters.dumps.download import PoliteHttp
from domain.dumps import (
    DumpError,
    DumpFile,
    DumpVersion,
    NoCompleteDumpError,
    dump_file_from_key,
    newest_complete_version,
)

_YEAR_PREFIX = re.compile(r"data/(?P<year>\d{4})/")
_DUMP_KEY = re.compile(r"data/\d{4}/discogs_\d{8}_[^/]+")
_S3_NAMESPACE_WILDCARD = "{*}"


class ListingError(DumpError):
    """A listing page could not be read as the listing it should be."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"listing {url}: {reason}")
        self.url = url
        self.reason = reason


class _LinkCollector(HTMLParser):
    """Collects the href of every anchor; the listing's structure around them does not matter."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def page_links(html: str) -> list[str]:
    """The href of every anchor of an HTML page, in page order (directory listings)."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    return collector.hrefs


def _query_values(html: str, parameter: str) -> list[str]:
    """The decoded values of `parameter` in the query of every link of `html`."""
    values: list[str] = []
    for href in page_links(html):
        values.extend(parse_qs(urlsplit(href).query).get(parameter, []))
    return values


def parse_year_links(html: str) -> list[int]:
    """The years of the `?prefix=data/YYYY/` directory links, newest first, each once."""
    years = {
        int(match["year"])
        for prefix in _query_values(html, "prefix")
        if (match := _YEAR_PREFIX.fullmatch(prefix)) is not None
    }
    return sorted(years, reverse=True)


def parse_download_links(html: str) -> list[DumpFile]:
    """The dump files of the `?download=data/YYYY/discogs_YYYYMMDD_*` links, in page order, each once."""
    keys = dict.fromkeys(key for key in _query_values(html, "download") if _DUMP_KEY.fullmatch(key))
    return [dump_file for key in keys if (dump_file := dump_file_from_key(key)) is not None]


@dataclass(frozen=True, slots=True)
class S3ListingPage:
    """One page of an S3 ListObjects (v1) answer: its dump files and where the next page starts."""

    dump_files: tuple[DumpFile, ...]
    next_marker: str | None
    """None on the last page."""


def parse_s3_listing(document: bytes) -> S3ListingPage:
    """Read a `ListBucketResult`; keys that are not dump files are left out.

    Raises ValueError with the reason when the document is not a ListBucketResult (an S3 `<Error>`
    answer says why access was refused, so its code and message are kept).
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not XML: {error}") from error
    local_name = etree.QName(root).localname
    if local_name == "Error":
        code = root.findtext("Code") or "?"
        message = root.findtext("Message") or ""
        raise ValueError(f"S3 error {code}: {message}".rstrip(": "))
    if local_name != "ListBucketResult":
        raise ValueError(f"root element is <{local_name}>, not <ListBucketResult>")
    dump_files = []
    last_key = None
    for contents in root.iterfind(f"{_S3_NAMESPACE_WILDCARD}Contents"):
        key = contents.findtext(f"{_S3_NAMESPACE_WILDCARD}Key")
        if not key:
            continue
        last_key = key
        size_text = contents.findtext(f"{_S3_NAMESPACE_WILDCARD}Size")
        size = int(size_text) if size_text and size_text.isdigit() else None
        dump_file = dump_file_from_key(key, size)
        if dump_file is not None:
            dump_files.append(dump_file)
    truncated = (root.findtext(f"{_S3_NAMESPACE_WILDCARD}IsTruncated") or "").strip().lower() == "true"
    # Without a delimiter S3 v1 omits NextMarker; the last key of the page is the marker then.
    next_marker = (root.findtext(f"{_S3_NAMESPACE_WILDCARD}NextMarker") or last_key) if truncated else None
    if truncated and next_marker is None:
        raise ValueError("IsTruncated is true but the page has no key to continue from")
    return S3ListingPage(tuple(dump_files), next_marker)


def _newest_or_fail(address: str, dump_files: Iterable[DumpFile]) -> DumpVersion:
    listed = list(dump_files)
    version = newest_complete_version(listed)
    if version is None:
        raise NoCompleteDumpError(address, {dump_file.version for dump_file in listed})
    return version


class DiscogsSite:
    """The Discogs data site (`https://data.discogs.com/` in production), read through its HTML."""

    def __init__(self, http: PoliteHttp, base_url: str, *, years_to_check: int = 2) -> None:
        self._http = http
        self._base_url = base_url
        self._years_to_check = years_to_check
        self._listed_files: list[DumpFile] | None = None

    @property
    def address(self) -> str:
        """The site's base URL."""
        return self._base_url

    async def list_files(self) -> list[DumpFile]:
        """Every dump file in the newest `years_to_check` year directories, fetched once per instance."""
        if self._listed_files is None:
            root_page = await self._page(self._base_url)
            years = parse_year_links(root_page)
            if not years:
                raise ListingError(self._base_url, "no year directory links (?prefix=data/YYYY/)")
            listed_files: list[DumpFile] = []
            for year in years[: self._years_to_check]:
                listed_files.extend(
                    parse_download_links(await self._page(self._query_url(prefix=f"data/{year}/")))
                )
            self._listed_files = listed_files
        return self._listed_files

    async def newest_complete_version(self) -> DumpVersion:
        """The newest version with its four data files and its CHECKSUM file."""
        return _newest_or_fail(self._base_url, await self.list_files())

    def download_url(self, dump_file: DumpFile) -> str:
        """`<base>?download=<urlencoded key>`, which the site redirects to the file's storage."""
        return self._query_url(download=dump_file.key)

    def _query_url(self, **parameters: str) -> str:
        return f"{self._base_url}?{urlencode(parameters, quote_via=quote, safe='')}"

    async def _page(self, url: str) -> str:
        page_bytes = await self._http.get_bytes(url)
        try:
            return page_bytes.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ListingError(url, f"not UTF-8 ({error})") from error


class S3Bucket:
    """An S3 bucket of dumps whose listing is public (ListObjects v1, followed page by page)."""

    def __init__(self, http: PoliteHttp, bucket_url: str, *, prefix: str = "data/") -> None:
        self._http = http
        self._bucket_url = bucket_url.rstrip("/")
        self._prefix = prefix
        self._listed_files: list[DumpFile] | None = None

    @property
    def address(self) -> str:
        """The bucket's URL."""
        return self._bucket_url

    async def list_files(self) -> list[DumpFile]:
        """Every dump file under the prefix, all pages, fetched once per instance."""
        if self._listed_files is None:
            listed_files: list[DumpFile] = []
            marker: str | None = ""
            while marker is not None:
                url = f"{self._bucket_url}/?{urlencode({'prefix': self._prefix, 'marker': marker})}"
                try:
                    page = parse_s3_listing(await self._http.get_bytes(url))
                except ValueError as error:
                    raise ListingError(url, str(error)) from error
                if page.next_marker is not None and page.next_marker == marker:
                    raise ListingError(url, f"the next page would start at the same marker {marker!r}")
                listed_files.extend(page.dump_files)
                marker = page.next_marker
            self._listed_files = listed_files
        return self._listed_files

    async def newest_complete_version(self) -> DumpVersion:
        """The newest version with its four data files and its CHECKSUM file."""
        return _newest_or_fail(self._bucket_url, await self.list_files())

    def download_url(self, dump_file: DumpFile) -> str:
        """`<bucket>/<key>`: objects are served at their key."""
        return f"{self._bucket_url}/{quote(dump_file.key)}"
