"""Dump adapters: finding, downloading and reading the Discogs and MusicBrainz dumps."""
