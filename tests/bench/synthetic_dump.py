"""Synthetic Discogs monthly dump for benchmarks and load tests.

Writes `discogs_<version>_{artists,labels,masters,releases}.xml.gz` in the 2025 dump shape (root
wrapper, one record per line, empty children omitted, `master_id` 0 for releases without a master)
with record sizes and fan-outs close to the real catalogue, at any scale. The same seed and scale give
the same bytes; memory stays constant because every cross-file fact (names, master groups, group
members, aliases, label parents) is a pure function of an id, so nothing is remembered between
records. `manifest.json` holds the exact record and relationship counts the graph will have.

    python -m tests.bench.synthetic_dump --releases 200000 --out /tmp/dump [--seed 1] [--version 20250101]
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import random
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from isal import isal_zlib

Item = TypeVar("Item")

DUMP_TYPES = ("artists", "labels", "masters", "releases")
ARTISTS_PER_RELEASE = 0.45
LABELS_PER_RELEASE = 0.10
MASTERS_PER_RELEASE = 0.12
# Credited on many releases but absent from the artists file, exactly as in the real dumps.
ARTISTS_WITHOUT_RECORD = {194: "Various", 355: "Unknown Artist", 118760: "No Artist"}
VARIOUS_ID = 194
FIRST_YEAR, LAST_YEAR = 1950, 2025
_RECORDS_PER_WRITE = 256
_MASTER_PATTERN_LENGTH = 64
# An artist block: slot 0 is a group, slots 1-6 its possible members, slot 7 a CJK-named person,
# slot 8 a session player who may join the next block's group, slots 9 and 12-14 an alias family.
_BLOCK = 16
_MEMBER_SLOTS = (1, 2, 3, 4, 5, 6)
_CROSS_MEMBER_SLOT = 8
_ALIAS_SLOTS = (9, 12, 13, 14)
_LABEL_BLOCK = 10
_MASK64 = (1 << 64) - 1


def _text(raw: str) -> str:
    """Escape text content as the dumps do (carriage returns become `&#13;`)."""
    return raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(raw: str) -> str:
    """Escape an attribute value (double-quoted)."""
    return _text(raw).replace('"', "&quot;")


def _mix(value: int) -> int:
    """SplitMix64 finaliser: a cheap, well-spread hash for decisions keyed by an id."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def _coprime_near(size: int, fraction: float) -> int:
    """A multiplier coprime with `size`, so that `i * m % size` is a permutation that scatters."""
    candidate = max(1, int(size * fraction)) | 1
    while math.gcd(candidate, size) != 1:
        candidate += 2
    return candidate


class _Weighted(Generic[Item]):
    """Weighted choice by bisection over cumulative weights: one `random()` per draw."""

    __slots__ = ("_cumulative", "_items")

    def __init__(self, weighted_items: Sequence[tuple[Item, float]]) -> None:
        self._items = tuple(item for item, _ in weighted_items)
        total = 0.0
        cumulative = []
        for _, weight in weighted_items:
            total += weight
            cumulative.append(total)
        self._cumulative = [bound / total for bound in cumulative]
        self._cumulative[-1] = math.inf  # random() * 1.0 can never fall past the last item

    def pick(self, unit: float) -> Item:
        return self._items[bisect_right(self._cumulative, unit)]


def _zipf(items: Sequence[Item], exponent: float) -> _Weighted[Item]:
    """Popularity falling with rank as 1 / rank**exponent, in the order given."""
    return _Weighted([(item, 1.0 / (rank + 1) ** exponent) for rank, item in enumerate(items)])


class _PowerLaw:
    """Indices in [0, size) with Zipf-Mandelbrot popularity, drawn in O(1) by the inverse CDF.

    Ranks are scattered over the range by a coprime multiplier so that popular records are not all
    at the lowest ids.
    """

    __slots__ = ("_inverse", "_low", "_multiplier", "_offset", "_shift", "_size", "_span")

    def __init__(self, size: int, exponent: float, offset: float, shift: int) -> None:
        power = 1.0 - exponent
        self._size = size
        self._offset = offset
        self._low = offset**power
        self._span = (size + offset) ** power - self._low
        self._inverse = 1.0 / power
        self._multiplier = _coprime_near(size, 0.6180339887)
        self._shift = shift % size

    def index(self, unit: float) -> int:
        rank = int((self._low + unit * self._span) ** self._inverse - self._offset)
        if rank >= self._size:
            rank = self._size - 1
        return (rank * self._multiplier + self._shift) % self._size


def _unique(words: Sequence[str]) -> tuple[str, ...]:
    """Drop repeats: a repeat in a name pool would give two records the same name."""
    return tuple(dict.fromkeys(words))


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated words, without repeats."""
    return _unique(text.split())


def _phrases(text: str) -> tuple[str, ...]:
    """`|`-separated phrases (styles contain spaces), line breaks ignored, without repeats."""
    return _unique(text.replace("\n", "").split("|"))


# ---------------------------------------------------------------------------------------------
# Vocabulary. Real Discogs values where the product reads them (genres, styles, formats, roles,
# identifier and company types); word pools for the free text.
# ---------------------------------------------------------------------------------------------

_FIRST_NAMES = _words(
    """
James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark
Sandra Paul Ashley Steven Kimberly Andrew Emily Kenneth Donna Joshua Michelle Kevin Carol Brian
Amanda George Melissa Timothy Deborah Ronald Stephanie Jason Rebecca Jeffrey Sharon Ryan Laura
Jacob Cynthia Gary Amy Nicholas Kathleen Eric Angela Jonathan Helen Larry Anna Justin Ruth Scott
Olivia Frank Emma Raymond Sophie Gregory Chloe Samuel Lucy Patrick Grace Jack Alice Dennis Julia
Jerry Clara Tyler Marie Aaron Nina Henry Eva Adam Ida Björn Søren Jürgen Zoë José María Łukasz
Ágnes François Hélène Åsa Jiří Ólafur Sinéad Chloé Renée Joël Gösta Håkan Mønica Ines Iñaki
Begoña Müge Şebnem Dóra Zsófia Miloš Dragan Ljubica Ayşe Tomás Joaquín Sérgio João Conceição
Maël Thaïs Niamh Siobhán Ludwig Wolfgang Ute Klaus Giulia Giuseppe Luca Chiara Marco Pierre
Camille Youssef Amara Kwame Chidi Aigerim Dmitri Olga Sven Ingrid Lars Astrid Kenji Yuki Hiroshi
Akiko Mei Wei Jun Min-jun Seo-yeon Ravi Priya Arjun Ananya Kofi Abena Tariq Leila Mateo
Valentina Santiago Camila
"""
)
_LAST_NAMES = _words(
    """
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson
Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green
Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Torres Parker
Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly
Howard Müller Schmidt Schneider Fischer Weber Wagner Becker Schäfer Koch Hoffmann Dahlbäck
Sjöström Ångström Jørgensen Østergaard Kowalski Nowak Wiśniewski Dvořák Novák Horváth Kovács
Nagy Szabó Tóth Rossi Russo Ferrari Esposito Bianchi Romano Colombo García Fernández González
Rodríguez López Martínez Sánchez Pérez Gómez Núñez Muñoz Peña Silva Santos Oliveira Gonçalves
Araújo Dubois Lefèvre Moreau Girard Fontaine Chevalier Lemaître O'Brien O'Connor McCarthy
Nakamura Tanaka Suzuki Watanabe Kim Park Choi Chen Wang Zhang Liu Yilmaz Öztürk Çelik Petrov
Ivanov Popescu Papadopoulos Haddad Okafor Mensah Diallo Ndiaye Boateng
"""
)
_LAST_NAME_STEMS = _words(
    """
Lind Berg Holm Ek Sund Dahl Strand Fors Nord Sand Alm Björk Fager Hag Lund Ros Sten Wall Gren
Hedd Kal Mal Norr Rydh Stor Tall Vik Blom Falk Gran Hass Kron Lil Mart Ny Ols Pett Sjö Wes Ahl
"""
)
_LAST_NAME_ENDINGS = _words(
    """
qvist ström berg gren lund dahl mann stein feld bach son sen haus er ström
"""
)
_SURNAMES = _unique(
    _LAST_NAMES + tuple(stem + ending for stem in _LAST_NAME_STEMS for ending in _LAST_NAME_ENDINGS)
)
_PERSON_NAME_COMBOS = len(_FIRST_NAMES) * len(_SURNAMES)
# Block slots named as persons, numbered so that each gets its own run of person-name combinations.
_PERSON_SLOT_RANK = {slot: rank for rank, slot in enumerate((1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 15))}
_CJK_FAMILY = _words(
    """
佐藤 鈴木 高橋 田中 渡辺 伊藤 山本 中村 小林 加藤 吉田 山田 坂本 松本 井上 木村 林 清水 王 李 張
劉 陳 楊 黄 趙 吳 周
"""
)
_CJK_GIVEN_HEADS = _words(
    """
龍 真 美 健 裕 和 明 春 秋 雪 花 光 翔 優 悠 結 愛 陽 大 浩 志 恵 直 智 俊 麗 偉 芳 敏 静
"""
)
_CJK_GIVEN_TAILS = _words(
    """
一 子 太 郎 美 也 樹 人 香 菜 奈 介 平 司 輝 華 明 希 彦 斗 音 里 生 文 之 代 恵 夫 江 吾
"""
)
_GROUP_ADJECTIVES = _words(
    """
Velvet Electric Silver Golden Broken Midnight Crimson Hollow Neon Frozen Burning Wandering
Lonely Savage Gentle Distant Invisible Cosmic Paper Iron Wooden Crystal Restless Sacred Northern
Southern Urban Rural Holy Black Blue Red Green White Yellow Purple Scarlet Dark Bright Quiet
Loud Wild Lost Sleeping Dancing Screaming Flying Falling Rising Young Old Modern Ancient Secret
Hidden Strange Happy Angry Tired Lucky Bitter Sweet Sour Cold Hot Royal Rebel Dirty Clean Sonic
Magnetic Atomic Analog Digital Lunar Solar Polar Tropical Arctic Desert Ocean Mountain Thunder
Stone Glass Rubber Plastic Chrome Copper Tin Hungry Dreaming Falling Ghostly Psychic Mystic
Heavy Light Rapid Slow Fuzzy Sharp
"""
)
_GROUP_NOUNS = _words(
    """
Engines Shadows Tigers Wolves Ravens Comets Lovers Strangers Machines Pilots Drifters Sisters
Brothers Kings Queens Saints Sinners Monkeys Horses Rockets Spirits Ghosts Angels Demons
Dreamers Riders Hunters Sailors Soldiers Prophets Poets Thieves Robots Rebels Wanderers Hearts
Bones Flowers Roses Lilies Stones Rivers Mountains Oceans Clouds Stars Planets Moons Suns Birds
Bees Wasps Spiders Snakes Dragons Giants Dwarves Wizards Witches Vampires Zombies Clowns Dolls
Mirrors Windows Doors Keys Locks Bells Drums Guitars Pianos Trumpets Violins Voices Echoes Waves
Tides Storms Winds Flames Sparks Lights Colours Dogs Cats Foxes Bears Owls Crows Pigeons
Seagulls Sharks Whales Dolphins Astronauts Cowboys Pirates Vikings Monks Nuns Priests Preachers
Teachers Doctors Nurses Lawyers
"""
)
_STAGE_PREFIXES = ("DJ", "MC", "Lil", "Dr.", "Mr.", "Lady", "Big", "Kid", "Sister", "Baron")
_STAGE_SYLLABLES = _words(
    """
ka zo ri mu te lo vi na xe qu ba do fi go ha ju ko ly me ni po ra si tu ve wa ye zu ar el
"""
)
_STAGE_SPECIAL = ("Thump'N'Johnson", "<Kosmos>", "Ø", "μ-Zone", '"Q"', "AT&T Girl", "Ñandú", "Ωmega")
_FREE_TEXT_CITIES = _words(
    """
London Berlin Paris Vienna Prague Budapest Warsaw Stockholm Oslo Helsinki Madrid Lisbon Rome
Milan Athens Istanbul Moscow Kyiv Tokyo Osaka Seoul Beijing Shanghai Mumbai Cairo Lagos Nairobi
Sydney Melbourne Toronto Montréal Chicago Detroit Nashville Memphis Atlanta Havana Kingston
Bogotá Lima Santiago São-Paulo Reykjavík Zürich Göteborg Kraków Düsseldorf
"""
)
_FREE_TEXT_ENSEMBLES = (
    "Session Orchestra",
    "Studio Choir",
    "String Quartet",
    "Philharmonic Strings",
    "Horn Section",
    "Gospel Singers",
    "Children's Choir",
    "Brass Ensemble",
)
_LABEL_WORDS = _words(
    """
Svek Warp Planet Tresor Kompakt Mute Factory Rough Sub Pop Metro Harvest Nova Orbit Atlas Echo
Delta Vertigo Island Parlophone Columbia Decca Mercury Polydor Sire Reprise Elektra Asylum Chess
Motown Stax Atlantic Capitol Virgin Beggars Domino Ninja Hyperdub Ostgut Perlon Cocoon Drumcode
Soma Tresor Kitsuné Ed Banger Bpitch Innervisions Dial Smallville Rush Hour Clone Lobster Pampa
Running Back Studio Strut Soul Jazz Light Sun Ace Trojan Greensleeves Wackies Blood Burning
Heart Tide Ember Flint Lantern Meadow Harbour Quarry Orchard Foundry Beacon Compass Anchor
Mosaic Prism Spectrum Vector Matrix Cipher Quantum Radius Zenith Nadir Apex Vortex Helix Spiral
Cobalt Indigo Amber Ivory Ebony Jade Onyx Opal Ruby Sapphire Topaz Garnet Granite Marble Basalt
Obsidian Éclair Ümlaut Ñu Øresund Ångström Fjärran Cœur Ça-Va R&B Rock'n'Roll <Null> "Q" 東京
大阪 北京 서울 Москва Αθήνα 🎧 🌙
"""
)
_LABEL_SUFFIXES = _words(
    """
Records Records Records Recordings Recordings Music Music Musik Disques Discos Discs
Schallplatten Sound Sounds Audio Productions Entertainment Tapes Editions Label Rekords Plaatjes
Produções Éditions Records
"""
)
_TITLE_WORDS = _words(
    """
Love Night Day Dream Heart Fire Rain Sun Moon Star Light Dark Time Life World Soul Mind Body
Blood Tears Kiss Dance Song Blues Groove Funk Fever Heat Cold Ice Storm Wind Sea Ocean River
Road Street City Town Home House Room Door Window Wall Garden Forest Desert Mountain Valley
Island Paradise Heaven Hell Angel Devil Ghost Shadow Mirror Glass Stone Gold Silver Diamond
Crystal Velvet Silk Paper Steel Machine Engine Motor Rocket Planet Galaxy Universe Cosmos Orbit
Signal Frequency Echo Pulse Rhythm Beat Bass Drum Voice Whisper Scream Silence Noise Static Wave
Tide Current Flow Motion Drive Ride Run Fall Rise Fly Burn Shine Glow Fade Bloom Wild Free
Lonely Lost Found Broken Golden Electric Sweet Bitter Blue Red Black White Green Purple Midnight
Morning Evening Summer Winter Spring Autumn Forever Never Always Tonight Tomorrow Yesterday
Again Alone Together Inside Outside Deep Higher Faster Slower Closer Further Underground
Overdrive Reflection Revolution Emotion Devotion Illusion Confusion Desire Fortune Memory Melody
Harmony Symphony Serenade Lullaby Anthem Prayer Journey Voyage Escape Return Arrival Departure
Station Terminal Horizon Sunrise Sunset Twilight Nocturne Étude Café Señorita Déjà Vu Über
Fräulein Naïve Résumé Mañana Saudade Sehnsucht Liebe Amour Corazón Noche Fiesta Sonho Mondo
Notte Stella Nuit Ciel Himmel Stadt
"""
)
_CJK_TITLE_WORDS = _words(
    """
夜 街 東京 花火 さよなら 愛 夢 青空 星 雨 月光 風 海 心 光 影 未来 記憶 春 夏 秋 冬 恋 涙 歌
사랑 서울 밤 꿈 하늘 Любовь Ночь Город
"""
)
_EMOJI = ("🌙", "🔥", "✨", "💿", "🎶", "❤️", "🌊", "☀️", "🖤", "👾")
_TITLE_TEMPLATES = _Weighted(
    [
        ("{w}", 4.0),
        ("{w} {w}", 18.0),
        ("The {w} Of {w}", 4.0),
        ("{w} In The {w}", 3.0),
        ("{w} {w} {w}", 10.0),
        ("{w} {w} (Radio Edit)", 3.0),
        ("{w} (Original Mix)", 4.0),
        ("{w} ({w} Remix)", 4.0),
        ("{w} (Extended Version)", 2.0),
        ("{w} & {w}", 2.0),
        ("{w} Part {n}", 2.0),
        ("{w}, {w}, {w}", 1.0),
        ('"{w}"', 1.0),
        ("{w} <3", 0.5),
        ("{w} / {w}", 1.5),
        ("{cjk}", 2.5),
        ("{cjk}{cjk}", 2.0),
        ("{w} {e}", 1.0),
        ("{w} Vol. {n}", 1.5),
        ("Live At {city}", 1.5),
    ]
)

_GENRE_STYLES: dict[str, tuple[str, ...]] = {
    "Electronic": _phrases(
        """
House|Techno|Deep House|Tech House|Electro|Ambient|Downtempo|Trance|Experimental|Drum n Bass
|Breakbeat|Synth-pop|IDM|Minimal|Progressive House|Dubstep|Disco|Euro House|Hard Trance
|Acid House|Acid|Hardcore|Gabber|Industrial|EBM|Leftfield|Trip Hop|Breaks|Dub Techno
|Garage House|UK Garage|Jungle|Big Beat|Chillwave|Glitch|Italo-Disco|Hi NRG|Eurodance|Psy-Trance
|Goa Trance|Darkwave|Noise|Electro House|Future Jazz|Nu-Disco|Bass Music|Footwork|Juke|Grime
|Vaporwave|Witch House|Berlin-School|Dark Ambient|Minimal Techno|Tribal House|Hard House
|Speedcore|Happy Hardcore|Broken Beat|Abstract|Musique Concrète|Electroacoustic|Freestyle|Bleep
|New Beat|Hardstyle|Breakcore|Makina|Schranz|Progressive Trance|Tribal|Synthwave|Lo-Fi|Halftime
|Neurofunk|Liquid Funk|Drone|Ghetto House|Ghettotech|Baltimore Club|Jersey Club|Afro House
|Amapiano|Gqom|Deep Techno|Minimal House|Tech Trance|Vocal Trance|Balearic|Italo House|Hip-House
|Illbient|Plunderphonics
"""
    ),
    "Rock": _phrases(
        """
Pop Rock|Alternative Rock|Punk|Indie Rock|Hard Rock|Classic Rock|Heavy Metal|Prog Rock
|Psychedelic Rock|Rock & Roll|Blues Rock|Folk Rock|Garage Rock|Hardcore|Post-Punk|New Wave
|Death Metal|Black Metal|Thrash|Doom Metal|Grunge|Shoegaze|Emo|Noise|Lo-Fi|Stoner Rock|Krautrock
|Art Rock|Soft Rock|Glam|Goth Rock|Math Rock|Post Rock|Power Pop|Rockabilly|Surf|Country Rock
|Southern Rock|Arena Rock|Symphonic Rock|Nu Metal|Metalcore|Grindcore|Speed Metal|Power Metal
|Sludge Metal|Crust|Oi|Ska|Mod|Beat|Space Rock|Avantgarde|Coldwave|Experimental|Industrial
|Deathcore|Post-Hardcore|Melodic Hardcore|Pop Punk|Horror Rock|Psychobilly|Viking Metal
|Progressive Metal|Gothic Metal|Folk Metal|Funk Metal|Rap Metal|Noise Rock|No Wave|Dream Pop
|Britpop|Jangle Pop|Acoustic|Pub Rock|AOR|Yé-Yé|Brit Pop|Neofolk|Dark Wave|Minimal Wave
"""
    ),
    "Pop": _phrases(
        """
Ballad|Vocal|Chanson|Europop|Schlager|Synth-pop|Indie Pop|Dance-pop|Bubblegum|Easy Listening
|Kayōkyoku|J-pop|K-pop|Italo-Disco|Light Music|City Pop|Levenslied|Novelty|Parody|Baroque Pop
|Dream Pop|Teen Pop|Canzone Napoletana|Karaoke|Enka|Cantopop|Mandopop|Sunshine Pop|Bossanova
|Europop|Art Pop|Chamber Pop|Hyperpop|Bedroom Pop|Ethno-pop|Twee Pop|Ryūkōka|Power Pop
"""
    ),
    "Folk, World, & Country": _phrases(
        """
Country|Folk|African|Celtic|Bluegrass|Flamenco|Fado|Highlife|Afrobeat|Bhangra|Hindustani
|Carnatic|Nordic|Polka|Cajun|Zydeco|Honky Tonk|Klezmer|Rebetiko|Laïkó|Sea Shanties|Hillbilly
|Western Swing|Mbalax|Soukous|Gnawa|Raï|Qawwali|Min'yō|Éntekhno|Volksmusik|Catalan Music
|Sámi Music|Pacific|Aboriginal|Chutney|Dangdut|Gamelan|Hawaiian|Persian Classical
|Ottoman Classical|Andalusian Classical|Benga|Chaabi|Mizrahi|Fado|Tamil Film Music|Filmi
|Dub Poetry|Griot|Kaseko|Makossa|Marrabenta|Mbaqanga|Juju|Kwaito|Afro-Cuban|Andean Music
|Country Blues|Appalachian Music|Gypsy|Sevdah|Turbo-folk|Hindustani Classical|Arabic Classical
|Korean Court Music
"""
    ),
    "Jazz": _phrases(
        """
Soul-Jazz|Jazz-Funk|Fusion|Free Jazz|Hard Bop|Bop|Cool Jazz|Swing|Big Band|Modal
|Contemporary Jazz|Latin Jazz|Avant-garde Jazz|Post Bop|Smooth Jazz|Dixieland|Free Improvisation
|Jazz-Rock|Afro-Cuban Jazz|Gypsy Jazz|Ragtime|Space-Age|Dark Jazz|Cape Jazz|Afrobeat|Bossa Nova
|Easy Listening|Third Stream|Vocal|Boogie Woogie|Ethio-jazz|Jazzdance|Spiritual Jazz
"""
    ),
    "Funk / Soul": _phrases(
        """
Soul|Funk|Disco|Rhythm & Blues|Gospel|Neo Soul|Contemporary R&B|P.Funk|Boogie|Northern Soul
|Swingbeat|New Jack Swing|Minneapolis Sound|Psychedelic|Afrobeat|Go-Go|Modern Soul|Deep Funk
|Philly Soul|Southern Soul|Quiet Storm|Electro Funk
"""
    ),
    "Classical": _phrases(
        """
Baroque|Romantic|Modern|Contemporary|Classical|Opera|Renaissance|Medieval|Neo-Classical
|Neo-Romantic|Impressionist|Post-Modern|Choral|Serial|Minimal|Twelve-tone|Early|Operetta
|Oratorio|Chamber Music|Symphonic
"""
    ),
    "Hip Hop": _phrases(
        """
Boom Bap|Gangsta|Conscious|Trap|Pop Rap|Hardcore Hip-Hop|Instrumental|Cloud Rap|Thug Rap
|Turntablism|Jazzy Hip-Hop|Abstract|G-Funk|Crunk|Bass Music|Horrorcore|Britcore|Miami Bass|Grime
|Drill|Screw|Bounce|Trip Hop|Electro|Hyphy|Cut-up/DJ|Memphis Rap|Phonk|Emo Rap|Lo-Fi Hip-Hop
|UK Drill|Afroswing
"""
    ),
    "Latin": _phrases(
        """
Salsa|Cumbia|Bolero|Bossa Nova|MPB|Samba|Tango|Son|Mambo|Merengue|Bachata|Reggaeton|Cha-Cha
|Rumba|Guaracha|Ranchera|Norteño|Tejano|Banda|Corrido|Baião|Forró|Axé|Pachanga|Descarga
|Latin Jazz|Nueva Trova|Nueva Cancion|Guajira|Vallenato|Champeta|Cubano|Plena|Bomba|Compas|Porro
|Joropo|Chacarera|Zamba|Candombe|Tropicália|Boogaloo|Danzon|Mariachi|Música Criolla|Guaguancó
|Timba|Sertanejo|Lambada|Marcha Carnavalesca|Son Montuno|Bolero-Son|Beguine|Gwo Ka|Zouk
"""
    ),
    "Stage & Screen": _phrases(
        """
Soundtrack|Score|Musical|Theme|Video Game Music|Cabaret|Vaudeville|Radioplay|Library Music
"""
    ),
    "Reggae": _phrases(
        """
Roots Reggae|Dub|Dancehall|Ska|Rocksteady|Lovers Rock|Reggae-Pop|Ragga|Calypso|Soca|Mento
|Reggae Gospel|Nyahbinghi|Dub Poetry|Ragga HipHop|Rub-a-dub
"""
    ),
    "Blues": _phrases(
        """
Chicago Blues|Electric Blues|Delta Blues|Country Blues|Piano Blues|Rhythm & Blues
|Harmonica Blues|Texas Blues|Louisiana Blues|Boogie Woogie|Jump Blues|Modern Electric Blues
|East Coast Blues|Memphis Blues|Piedmont Blues|Swamp Blues
"""
    ),
    "Non-Music": _phrases(
        """
Spoken Word|Comedy|Field Recording|Interview|Poetry|Audiobook|Speech|Education|Political
|Religious|Radioplay|Sound Art|Dialogue|Monolog|Promotional|Technical|Health-Fitness|Erotic
|Sound Collage|Public Broadcast|Therapy|Medical
"""
    ),
    "Children's": ("Nursery Rhymes", "Story", "Educational", "Lullaby"),
    "Brass & Military": ("Marches", "Pipe & Drum", "Military", "Brass Band"),
}
# Real release counts per genre fall off roughly like this (Discogs genre statistics).
_GENRE_WEIGHTS = {
    "Electronic": 30.0,
    "Rock": 32.0,
    "Pop": 18.0,
    "Folk, World, & Country": 10.0,
    "Jazz": 7.0,
    "Funk / Soul": 7.0,
    "Classical": 6.0,
    "Hip Hop": 5.0,
    "Latin": 4.0,
    "Stage & Screen": 3.0,
    "Reggae": 2.5,
    "Blues": 2.0,
    "Non-Music": 1.5,
    "Children's": 0.8,
    "Brass & Military": 0.3,
}
_STYLE_MODIFIERS = _words(
    """
Progressive Melodic Dark Deep Minimal Experimental Neo Post Acid Tribal Symphonic Atmospheric
Instrumental Psychedelic Avant-garde Nu Afro Latin Cosmic Industrial Orchestral Raw Ethereal Dub
Hard Soft Lo-Fi Vintage Futuristic Tropical Nordic Balkan Celtic Oriental Underground Modern
Classic Early Late Electric Acoustic Chamber Urban
"""
)

# Roles, joins and their parts are stored XML-escaped, so that combining them needs no escaping.
_CREDIT_ROLES = _Weighted(
    [
        (_text(role), float(weight))
        for role, weight in (
            ("Producer", 273),
            ("Written-By", 195),
            ("Mastered By", 115),
            ("Drums", 112),
            ("Guitar", 101),
            ("Vocals", 89),
            ("Engineer", 89),
            ("Bass", 76),
            ("Executive-Producer", 74),
            ("Photography By", 68),
            ("Recorded By", 67),
            ("Mixed By", 61),
            ("Composed By", 49),
            ("Backing Vocals", 47),
            ("Design", 45),
            ("Piano", 42),
            ("Arranged By", 40),
            ("Music By", 38),
            ("Lyrics By", 36),
            ("Liner Notes", 33),
            ("Artwork", 28),
            ("Orchestra", 28),
            ("Performer", 27),
            ("Conductor", 26),
            ("Violin", 25),
            ("Art Direction", 21),
            ("Lacquer Cut By", 20),
            ("Keyboards", 20),
            ("Featuring", 19),
            ("Trumpet", 19),
            ("Management", 18),
            ("Cello", 17),
            ("Percussion", 16),
            ("Trombone", 15),
            ("Bass Guitar", 14),
            ("Remastered By", 14),
            ("Flute", 13),
            ("Tenor Saxophone", 12),
            ("Cover", 12),
            ("Layout", 11),
            ("Lead Vocals", 11),
            ("Rap", 10),
            ("Translated By", 10),
            ("Programmed By", 9),
            ("Saxophone", 9),
            ("Graphic Design", 8),
            ("Illustration", 8),
            ("A&R", 7),
            ("Co-producer", 7),
            ("Edited By", 6),
            ("Remix", 6),
            ("Viola", 6),
            ("Synthesizer", 6),
            ("Contrabass", 5),
            ("Coordinator", 4),
            ("Directed By", 4),
            ("Sleeve", 3),
            ("Compilation Producer", 3),
        )
    ]
)
_TRACK_ROLES = _Weighted(
    [
        (_text(role), weight)
        for role, weight in (
            ("Written-By", 30.0),
            ("Producer", 18.0),
            ("Remix", 12.0),
            ("Featuring", 9.0),
            ("Vocals", 8.0),
            ("Lyrics By", 6.0),
            ("Music By", 6.0),
            ("Mixed By", 4.0),
            ("Arranged By", 4.0),
            ("Composed By", 4.0),
            ("Co-producer", 2.0),
            ("Guitar", 2.0),
            ("Bass", 1.5),
            ("Drums", 1.5),
            ("Keyboards", 1.0),
            ("Rap", 1.0),
            ("Edited By", 1.0),
        )
    ]
)
_ROLE_DETAILS = (
    "Assistant",
    "Assisted By",
    "All Tracks",
    "Cover",
    "Live",
    "Additional",
    "Lead",
    "Backing",
    "Engineered By",
    "Courtesy Of",
)
_JOINS = _Weighted(
    [(",", 40.0), ("&amp;", 20.0), ("Feat.", 12.0), ("/", 8.0), ("And", 7.0), ("vs.", 4.0), ("•", 1.0)]
)
_DATA_QUALITY = _Weighted(
    [
        ("Needs Vote", 70.0),
        ("Correct", 24.0),
        ("Complete and Correct", 3.0),
        ("Needs Minor Changes", 2.0),
        ("Needs Major Changes", 0.7),
        ("Entirely Incorrect", 0.3),
    ]
)
_ENTITY_DATA_QUALITY = _Weighted(
    [("Needs Vote", 55.0), ("Correct", 40.0), ("Complete and Correct", 2.0), ("Needs Minor Changes", 3.0)]
)
_COUNTRIES = _Weighted(
    [
        (_text(name), weight)
        for name, weight in (
            ("US", 25.0),
            ("Germany", 9.0),
            ("UK", 8.0),
            ("Japan", 6.0),
            ("Italy", 4.5),
            ("Canada", 4.0),
            ("Netherlands", 4.0),
            ("France", 3.5),
            ("Spain", 3.0),
            ("Russia", 3.0),
            ("Europe", 2.5),
            ("Sweden", 2.2),
            ("Australia", 2.0),
            ("Poland", 1.7),
            ("Brazil", 1.5),
            ("Norway", 1.2),
            ("Greece", 1.2),
            ("Switzerland", 1.0),
            ("Belgium", 1.0),
            ("Denmark", 0.8),
            ("Finland", 0.8),
            ("Mexico", 0.8),
            ("UK & Europe", 0.7),
            ("Czech Republic", 0.6),
            ("Argentina", 0.6),
            ("Austria", 0.6),
            ("Worldwide", 0.6),
            ("Portugal", 0.5),
            ("Jamaica", 0.5),
            ("Czechoslovakia", 0.5),
            ("Yugoslavia", 0.4),
            ("USSR", 0.4),
            ("South Korea", 0.4),
            ("Hungary", 0.4),
            ("Turkey", 0.3),
            ("India", 0.3),
            ("Israel", 0.3),
            ("South Africa", 0.3),
            ("Ukraine", 0.3),
            ("Ireland", 0.3),
            ("New Zealand", 0.3),
            ("US & Canada", 0.3),
            ("Taiwan", 0.2),
            ("Hong Kong", 0.2),
            ("China", 0.2),
            ("Colombia", 0.2),
            ("Chile", 0.2),
            ("Benelux", 0.2),
            ("Scandinavia", 0.2),
            ("Germany, Austria, & Switzerland", 0.2),
            ("Côte d'Ivoire", 0.05),
            ("Réunion", 0.05),
            ("Unknown", 0.1),
        )
    ]
)
# (entity_type, entity_type_name, weight) as counted in the 2020 sample.
_COMPANY_TYPES = _Weighted(
    [
        ((code, _text(name)), float(weight))
        for code, name, weight in (
            (21, "Published By", 306),
            (13, "Phonographic Copyright (p)", 236),
            (14, "Copyright (c)", 207),
            (23, "Recorded At", 182),
            (9, "Distributed By", 122),
            (10, "Manufactured By", 103),
            (17, "Pressed By", 97),
            (29, "Mastered At", 87),
            (16, "Made By", 41),
            (27, "Mixed At", 39),
            (19, "Printed By", 38),
            (4, "Record Company", 36),
            (37, "Produced For", 26),
            (8, "Marketed By", 24),
            (6, "Licensed From", 24),
            (30, "Lacquer Cut At", 22),
            (5, "Licensed To", 13),
            (24, "Engineered At", 12),
            (31, "Glass Mastered At", 12),
            (26, "Produced At", 11),
            (33, "Designed At", 7),
            (28, "Remixed At", 7),
            (36, "Edited At", 5),
            (35, "Remastered At", 4),
        )
    ]
)
_IDENTIFIER_TYPES = _Weighted(
    [
        ("Matrix / Runout", 729.0),
        ("Barcode", 338.0),
        ("Rights Society", 229.0),
        ("Other", 114.0),
        ("Label Code", 83.0),
        ("Mastering SID Code", 62.0),
        ("Mould SID Code", 62.0),
        ("Price Code", 22.0),
        ("SPARS Code", 14.0),
        ("ISRC", 7.0),
        ("Pressing Plant ID", 4.0),
        ("Depósito Legal", 3.0),
    ]
)
_RIGHTS_SOCIETIES = _words("GEMA BIEM ASCAP BMI SACEM JASRAC STEMRA MCPS SGAE SIAE PRS")
_RUNOUT_DESCRIPTIONS = ("Side A", "Side B", "Runout side A", "Runout side B", "Etched", "Stamped", "", "")
_VINYL_EXTRAS = _Weighted(
    [
        ("", 60.0),
        ("Reissue", 8.0),
        ("Promo", 6.0),
        ("Stereo", 6.0),
        ("Limited Edition", 6.0),
        ("Mono", 3.0),
        ("Repress", 2.0),
        ("White Label", 2.0),
        ("Unofficial Release", 2.0),
        ("Remastered", 2.0),
        ("Numbered", 1.5),
        ("Test Pressing", 0.5),
    ]
)
_DIGITAL_EXTRAS = _Weighted(
    [
        ("", 70.0),
        ("Reissue", 8.0),
        ("Remastered", 6.0),
        ("Promo", 5.0),
        ("Limited Edition", 5.0),
        ("Enhanced", 2.0),
    ]
)


class _FormatProfile(NamedTuple):
    """A kind of release: its format element, how many tracks it carries and how they are numbered."""

    name: str
    descriptions: tuple[tuple[str, ...], ...]
    texts: tuple[str, ...]
    extras: _Weighted[str]
    discs: tuple[int, ...]
    tracks: tuple[int, int]
    numbering: str  # "sides" (A1, B2), "numbers" (1, 2), "discs" (1-1, 2-3)


_FORMATS = _Weighted(
    [
        (
            _FormatProfile(
                "Vinyl",
                (("LP", "Album"), ('12"', "33 ⅓ RPM", "LP", "Album"), ("LP", "Compilation")),
                ("", "", "", "", "", "Gatefold", "Red", "Clear", "180g"),
                _VINYL_EXTRAS,
                (1, 1, 1, 1, 2),
                (7, 12),
                "sides",
            ),
            20.0,
        ),
        (
            _FormatProfile(
                "Vinyl",
                (('12"', "33 ⅓ RPM"), ('12"', "45 RPM"), ('12"', "EP"), ('12"', "Maxi-Single")),
                ("", "", "", "", "White", "Blue Marbled"),
                _VINYL_EXTRAS,
                (1,),
                (2, 5),
                "sides",
            ),
            18.0,
        ),
        (
            _FormatProfile(
                "Vinyl",
                (('7"', "45 RPM", "Single"),),
                ("", "", "", "Red"),
                _VINYL_EXTRAS,
                (1,),
                (2, 2),
                "sides",
            ),
            13.0,
        ),
        (
            _FormatProfile(
                "CD",
                (("Album",), ("Album", "Enhanced"), ("Compilation",), ("Album", "Stereo")),
                ("", "", "", "", "Digipak", "Cardboard Sleeve", "SHM-CD"),
                _DIGITAL_EXTRAS,
                (1, 1, 1, 1, 1, 1, 2),
                (9, 16),
                "numbers",
            ),
            22.0,
        ),
        (
            _FormatProfile(
                "CD",
                (("Single",), ("Maxi-Single",), ("EP",)),
                ("", "", "Slimline"),
                _DIGITAL_EXTRAS,
                (1,),
                (2, 5),
                "numbers",
            ),
            7.0,
        ),
        (
            _FormatProfile(
                "File",
                (("MP3", "Album"), ("FLAC", "Album"), ("WAV", "Single"), ("MP3", "EP"), ("AAC", "Single")),
                ("320 kbps", "320 kbps", "16-bit/44.1kHz", "24-bit/96kHz", "VBR", ""),
                _DIGITAL_EXTRAS,
                (1,),
                (1, 12),
                "numbers",
            ),
            9.0,
        ),
        (
            _FormatProfile(
                "Cassette",
                (("Album",), ("Album", "Dolby B"), ("Mixtape",)),
                ("", "", "Chrome"),
                _VINYL_EXTRAS,
                (1,),
                (8, 12),
                "sides",
            ),
            6.0,
        ),
        (
            _FormatProfile(
                "CDr",
                (("Album",), ("Single", "Promo"), ("Mixed",)),
                ("", "", "Handmade"),
                _DIGITAL_EXTRAS,
                (1,),
                (4, 12),
                "numbers",
            ),
            3.0,
        ),
        (
            _FormatProfile(
                "Box Set",
                (("Compilation", "Limited Edition"), ("Compilation", "Remastered"), ("Compilation",)),
                ("", "", "Deluxe Edition"),
                _DIGITAL_EXTRAS,
                (3, 4, 5, 6, 8),
                (10, 16),
                "discs",
            ),
            1.2,
        ),
        (
            _FormatProfile(
                "DVD",
                (("DVD-Video", "PAL"), ("DVD-Video", "NTSC"), ("DVD-Video", "Multichannel")),
                ("",),
                _DIGITAL_EXTRAS,
                (1,),
                (8, 16),
                "numbers",
            ),
            1.0,
        ),
        (
            _FormatProfile("Shellac", (('10"', "78 RPM"),), ("",), _VINYL_EXTRAS, (1,), (2, 2), "sides"),
            0.8,
        ),
    ]
)
_GENRE_COUNT = _Weighted([(1, 57.0), (2, 30.0), (3, 10.0), (4, 3.0)])
_STYLE_COUNT = _Weighted([(0, 12.0), (1, 30.0), (2, 27.0), (3, 18.0), (4, 9.0), (5, 4.0)])
_ARTIST_COUNT = _Weighted([(1, 84.0), (2, 11.0), (3, 3.5), (4, 1.5)])
_LABEL_COUNT = _Weighted([(1, 90.0), (2, 8.0), (3, 2.0)])
_MASTER_SIZES = _Weighted(
    [
        (1, 30.0),
        (2, 20.0),
        (3, 13.0),
        (4, 9.0),
        (5, 7.0),
        (6, 5.0),
        (8, 6.0),
        (10, 4.0),
        (14, 3.0),
        (20, 2.0),
        (40, 1.0),
    ]
)
_MEMBER_COUNTS = (0, 2, 2, 3, 3, 4, 5, 6)
_ALIAS_FAMILY_SIZES = (0, 0, 0, 2, 2, 3, 4)


# ---------------------------------------------------------------------------------------------
# Scale and manifest
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DumpScale:
    """Record counts proportional to the real catalogue, from the number of releases."""

    releases: int
    artists: int
    labels: int
    masters: int

    @classmethod
    def for_releases(cls, releases: int) -> DumpScale:
        if releases < 1:
            raise ValueError("a dump needs at least one release")
        return cls(
            releases=releases,
            artists=max(_BLOCK, round(releases * ARTISTS_PER_RELEASE)),
            labels=max(4, round(releases * LABELS_PER_RELEASE)),
            masters=round(releases * MASTERS_PER_RELEASE),
        )


@dataclass
class DumpManifest:
    """What the generated dump holds, counted while writing it, so benchmarks can check completeness."""

    version: str
    seed: int
    dangling_fraction: float
    records: dict[str, int]
    genres: int
    styles: int
    relationships: dict[str, int]
    relationship_sources: dict[str, int]
    persons: int
    dangling_references: dict[str, int]
    credits_of_artists_without_record: dict[str, int]
    files: dict[str, dict[str, int | str]]

    def as_json(self) -> dict[str, Any]:
        """The manifest as written to manifest.json."""
        return {
            "format": "discogs-2025",
            "version": self.version,
            "seed": self.seed,
            "dangling_fraction": self.dangling_fraction,
            "records": self.records,
            "genres": self.genres,
            "styles": self.styles,
            "relationships": self.relationships,
            "relationship_sources": self.relationship_sources,
            "persons": self.persons,
            "dangling_references": self.dangling_references,
            "credits_of_artists_without_record": self.credits_of_artists_without_record,
            "files": self.files,
        }


@dataclass
class _Tally:
    """Counters filled while records are written; relationship counts follow SPEC-graph's MERGE keys."""

    artist_slots: int
    records: Counter[str] = field(default_factory=Counter)
    edges: Counter[str] = field(default_factory=Counter)
    dangling: Counter[str] = field(default_factory=Counter)
    hub_credits: Counter[str] = field(default_factory=Counter)
    genres: set[str] = field(default_factory=set)
    styles: set[str] = field(default_factory=set)
    style_genre_pairs: set[tuple[str, str]] = field(default_factory=set)
    free_text_persons: set[str] = field(default_factory=set)
    credited_artists: bytearray = field(init=False)

    def __post_init__(self) -> None:
        # One byte per artist slot (records and dangling ids): Person nodes are keyed by name and
        # every slot has its own name, so the distinct credited slots are the Person count.
        self.credited_artists = bytearray(self.artist_slots)

    def count_tags(self, genres: Sequence[str], styles: Sequence[str], source: str) -> None:
        """IS edges of one record, and PART_OF pairs when it has exactly one genre."""
        self.edges[f"IS {source}->Genre"] += len(genres)
        self.edges[f"IS {source}->Style"] += len(styles)
        self.genres.update(genres)
        self.styles.update(styles)
        if len(genres) == 1:
            genre = genres[0]
            self.style_genre_pairs.update((style, genre) for style in styles)


class _MasterCore(NamedTuple):
    """What a master shares with every release in it, derived from the master's index alone."""

    artist_ids: tuple[int, ...]
    artists_xml: str
    headline: str
    genres: tuple[str, ...]
    styles: tuple[str, ...]
    tags_xml: str
    year: int
    title: str


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------


class SyntheticDump:
    """Streams the four record files of one synthetic dump; see the module docstring."""

    def __init__(
        self, releases: int, seed: int = 0, dangling_fraction: float = 0.005, images: bool = False
    ) -> None:
        if not 0.0 <= dangling_fraction < 0.5:
            raise ValueError("dangling_fraction must be in [0, 0.5)")
        self.scale = DumpScale.for_releases(releases)
        self.seed = seed
        self.dangling_fraction = dangling_fraction
        self.images = images
        artists, labels, masters = self.scale.artists, self.scale.labels, self.scale.masters
        self._ghost_artists = max(16, artists // 50)
        self._ghost_labels = max(8, labels // 50)
        self._ghost_masters = max(8, masters // 50)
        self._structure_seed = _mix(seed * 0x5851F42D4C957F2D + 1)
        setup = random.Random(f"{seed}:setup")

        self._performers = max(1, int(artists * 0.6))
        self._performer_draw = _PowerLaw(self._performers, 0.95, 12.0, setup.randrange(1 << 30))
        self._credit_draw = _PowerLaw(artists - self._performers, 0.9, 8.0, setup.randrange(1 << 30))
        self._label_draw = _PowerLaw(labels, 0.95, 6.0, setup.randrange(1 << 30))
        self._person_multiplier = _coprime_near(_PERSON_NAME_COMBOS, 0.381966)

        self._genres = _Weighted([(_text(genre), weight) for genre, weight in _GENRE_WEIGHTS.items()])
        self._styles_by_genre = self._style_tables(setup)
        self._titles = self._text_pool(setup, 6000, self._title)
        self._track_titles = self._text_pool(setup, 8000, self._title)
        self._note_sentences = self._text_pool(setup, 1500, self._note_sentence)
        self._profile_sentences = self._text_pool(setup, 1500, self._profile_sentence)
        self._video_descriptions = self._text_pool(setup, 1200, self._video_description)
        self._durations = [self._duration(setup) for _ in range(2048)]
        self._free_text_names = [
            _text(f"{city} {ensemble}") for city in _FREE_TEXT_CITIES for ensemble in _FREE_TEXT_ENSEMBLES
        ]

        self._master_pattern_sizes = [
            _MASTER_SIZES.pick(setup.random()) for _ in range(_MASTER_PATTERN_LENGTH)
        ]
        self._master_pattern_starts = [0]
        for size in self._master_pattern_sizes:
            self._master_pattern_starts.append(self._master_pattern_starts[-1] + size)
        self._slots_per_pattern = self._master_pattern_starts[-1]
        self._slot_owner = [
            (pattern_index, position)
            for pattern_index, size in enumerate(self._master_pattern_sizes)
            for position in range(size)
        ]
        while self._master_slot_start(masters) > releases:  # only tiny scales need fewer masters
            masters -= 1
        self.scale = replace(self.scale, masters=masters)
        self._mastered_slots = self._master_slot_start(masters)
        self._release_multiplier = _coprime_near(releases, 0.7548776662)
        self._release_shift = setup.randrange(releases)
        self._release_unmultiplier = pow(self._release_multiplier, -1, releases) if releases > 1 else 0
        self._master_seed = setup.getrandbits(48) << 20
        self._max_artist_id = self.artist_id(artists - 1)
        # Popular artists and labels come back on record after record: escape their names once.
        self._artist_name_xml: Callable[[int], str] = lru_cache(maxsize=1 << 16)(
            lambda index: _text(self.artist_name(index))
        )
        self._name_variations_xml: Callable[[int], tuple[str, ...]] = lru_cache(maxsize=1 << 14)(
            self._name_variations
        )
        self._label_name_xml: Callable[[int], str] = lru_cache(maxsize=1 << 14)(
            lambda index: _text(self.label_name(index))
        )
        self._label_name_attr: Callable[[int], str] = lru_cache(maxsize=1 << 14)(
            lambda index: _attr(self.label_name(index))
        )
        self._tally = self._fresh_tally()

    # -- ids and names: pure functions, so that every file agrees without remembering anything --

    @staticmethod
    def artist_id(index: int) -> int:
        """Artist ids run from 1 and skip the ids of artists that have no record (194, 355, 118760)."""
        artist_id = index + 1
        if artist_id >= 194:
            artist_id += 1
        if artist_id >= 355:
            artist_id += 1
        if artist_id >= 118760:
            artist_id += 1
        return artist_id

    def _person_name(self, local: int) -> str:
        duplicate, combo = divmod(local, _PERSON_NAME_COMBOS)
        first, last = divmod((combo * self._person_multiplier) % _PERSON_NAME_COMBOS, len(_SURNAMES))
        return f"{_FIRST_NAMES[first]} {_SURNAMES[last]}" + (f" ({duplicate + 1})" if duplicate else "")

    def artist_name(self, index: int) -> str:
        """The unique display name of the artist at `index`, with a Discogs-style `(2)` suffix on repeats.

        Each block slot has its own name shape (persons, groups, stage names, CJK names), so names
        of different shapes never collide and names of one shape are unique by construction.
        """
        block, slot = divmod(index, _BLOCK)
        if slot == 0:
            combos = len(_GROUP_ADJECTIVES) * len(_GROUP_NOUNS) * 3
            duplicate, combo = divmod(block, combos)
            combo = (combo * 7919) % combos
            shape, rest = divmod(combo, len(_GROUP_ADJECTIVES) * len(_GROUP_NOUNS))
            adjective, noun = divmod(rest, len(_GROUP_NOUNS))
            if shape == 0:
                name = f"The {_GROUP_ADJECTIVES[adjective]} {_GROUP_NOUNS[noun]}"
            elif shape == 1:
                name = f"{_GROUP_ADJECTIVES[adjective]} {_GROUP_NOUNS[noun]}"
            else:
                name = f"{_GROUP_ADJECTIVES[adjective]} & The {_GROUP_NOUNS[noun]}"
        elif slot == 7:
            givens = len(_CJK_GIVEN_HEADS) * len(_CJK_GIVEN_TAILS)
            duplicate, combo = divmod(block, len(_CJK_FAMILY) * givens)
            combo = (combo * 104729) % (len(_CJK_FAMILY) * givens)
            family, given = divmod(combo, givens)
            head, tail = divmod(given, len(_CJK_GIVEN_TAILS))
            name = _CJK_FAMILY[family] + _CJK_GIVEN_HEADS[head] + _CJK_GIVEN_TAILS[tail]
        elif slot in _ALIAS_SLOTS[1:]:
            syllables = len(_STAGE_SYLLABLES)
            combos = (len(_STAGE_PREFIXES) + 1) * syllables**3
            local = block * 3 + slot - _ALIAS_SLOTS[1]
            duplicate, combo = divmod(local, combos)
            combo = (combo * 15485863) % combos
            prefix, word_index = divmod(combo, syllables**3)
            first, rest = divmod(word_index, syllables * syllables)
            second, third = divmod(rest, syllables)
            word = (_STAGE_SYLLABLES[first] + _STAGE_SYLLABLES[second] + _STAGE_SYLLABLES[third]).capitalize()
            if word_index % 97 == 0:
                word = _STAGE_SPECIAL[(word_index // 97) % len(_STAGE_SPECIAL)] + " " + word
            name = word if prefix == len(_STAGE_PREFIXES) else f"{_STAGE_PREFIXES[prefix]} {word}"
        else:
            return self._person_name(block * len(_PERSON_SLOT_RANK) + _PERSON_SLOT_RANK[slot])
        return name + (f" ({duplicate + 1})" if duplicate else "")

    def label_name(self, index: int) -> str:
        """The unique name of the label at `index`."""
        combos = len(_LABEL_WORDS) * len(_LABEL_WORDS) * len(_LABEL_SUFFIXES)
        duplicate, combo = divmod(index, combos)
        combo = (combo * 2654435761) % combos
        words, suffix = divmod(combo, len(_LABEL_SUFFIXES))
        first, second = divmod(words, len(_LABEL_WORDS))
        name = (
            f"{_LABEL_WORDS[first]} {_LABEL_SUFFIXES[suffix]}"
            if first == second
            else f"{_LABEL_WORDS[first]} {_LABEL_WORDS[second]} {_LABEL_SUFFIXES[suffix]}"
        )
        return name + (f" ({duplicate + 1})" if duplicate else "")

    def _hash(self, kind: int, index: int) -> int:
        return _mix(self._structure_seed ^ (kind << 56) ^ index)

    # -- artist structure: groups and their members, alias families --

    def _is_group(self, index: int) -> bool:
        return index % _BLOCK == 0

    def _member_count(self, block: int) -> int:
        return _MEMBER_COUNTS[self._hash(1, block) % len(_MEMBER_COUNTS)]

    def _has_cross_member(self, block: int) -> bool:
        return block > 0 and self._hash(2, block) % 4 == 0

    def _members(self, group_index: int) -> list[int]:
        block = group_index // _BLOCK
        members = [
            group_index + slot
            for slot in _MEMBER_SLOTS[: self._member_count(block)]
            if group_index + slot < self.scale.artists
        ]
        if self._has_cross_member(block):
            members.insert(0, group_index - _BLOCK + _CROSS_MEMBER_SLOT)
        return members

    def _groups(self, index: int) -> list[int]:
        block, slot = divmod(index, _BLOCK)
        if slot in _MEMBER_SLOTS and _MEMBER_SLOTS.index(slot) < self._member_count(block):
            return [index - slot]
        next_group = (block + 1) * _BLOCK
        if (
            slot == _CROSS_MEMBER_SLOT
            and next_group < self.scale.artists
            and self._has_cross_member(block + 1)
        ):
            return [next_group]
        return []

    def _alias_family(self, index: int) -> list[int]:
        block, slot = divmod(index, _BLOCK)
        if slot not in _ALIAS_SLOTS:
            return []
        size = _ALIAS_FAMILY_SIZES[self._hash(3, block) % len(_ALIAS_FAMILY_SIZES)]
        family = [block * _BLOCK + member_slot for member_slot in _ALIAS_SLOTS[:size]]
        family = [member for member in family if member < self.scale.artists]
        return family if index in family and len(family) > 1 else []

    # -- label structure: a parent per block of ten, a major per block of a hundred --

    def _parent_label(self, index: int) -> int | None:
        if index % _LABEL_BLOCK:
            return index - index % _LABEL_BLOCK if self._hash(4, index) % 10 == 0 else None
        if index % (_LABEL_BLOCK * _LABEL_BLOCK):
            major = index - index % (_LABEL_BLOCK * _LABEL_BLOCK)
            return major if self._hash(5, index) % 3 == 0 else None
        return None

    def _sublabels(self, index: int) -> list[int]:
        if index % _LABEL_BLOCK:
            return []
        candidates = list(range(index + 1, index + _LABEL_BLOCK))
        if index % (_LABEL_BLOCK * _LABEL_BLOCK) == 0:
            candidates += range(index + _LABEL_BLOCK, index + _LABEL_BLOCK * _LABEL_BLOCK, _LABEL_BLOCK)
        return sorted(c for c in candidates if c < self.scale.labels and self._parent_label(c) == index)

    # -- masters: fixed pattern of group sizes, scattered over release ids by a permutation --

    def _master_slot_start(self, master_index: int) -> int:
        pattern_round, pattern_index = divmod(master_index, _MASTER_PATTERN_LENGTH)
        return pattern_round * self._slots_per_pattern + self._master_pattern_starts[pattern_index]

    def _release_index_of_slot(self, slot: int) -> int:
        return ((slot - self._release_shift) * self._release_unmultiplier) % self.scale.releases

    def _master_of_release(self, release_index: int) -> tuple[int, int] | None:
        """(master index, position in the master) of a release, or None when it has no master."""
        slot = (release_index * self._release_multiplier + self._release_shift) % self.scale.releases
        if slot >= self._mastered_slots:
            return None
        pattern_round, offset = divmod(slot, self._slots_per_pattern)
        pattern_index, position = self._slot_owner[offset]
        return pattern_round * _MASTER_PATTERN_LENGTH + pattern_index, position

    def main_release_id(self, master_index: int) -> int:
        """The id of the master's main release: the first release of its group."""
        return self._release_index_of_slot(self._master_slot_start(master_index)) + 1

    def _master_core(self, master_index: int) -> _MasterCore:
        rng = random.Random(self._master_seed + master_index)
        rand = rng.random
        artist_ids, artists_xml, headline = self._main_artists(rand)
        genres, styles = self._tags(rand)
        return _MasterCore(
            artist_ids=artist_ids,
            artists_xml=artists_xml,
            headline=headline,
            genres=genres,
            styles=styles,
            tags_xml=self._tags_xml(genres, styles),
            year=self._year(rand()),
            title=self._titles[int(rand() * len(self._titles))],
        )

    # -- shared pieces --

    def _style_tables(self, setup: random.Random) -> dict[str, _Weighted[str]]:
        """Real styles per genre, topped up with modifier compounds to ~500 distinct names."""
        styles_by_genre = {genre: list(styles) for genre, styles in _GENRE_STYLES.items()}
        distinct = {style for styles in styles_by_genre.values() for style in styles}
        big_genres = [genre for genre, styles in styles_by_genre.items() if len(styles) > 20]
        while len(distinct) < 500:
            genre = setup.choice(big_genres)
            base = setup.choice(_GENRE_STYLES[genre])
            compound = f"{setup.choice(_STYLE_MODIFIERS)} {base}"
            if compound not in distinct:
                distinct.add(compound)
                styles_by_genre[genre].append(compound)
        return {
            _text(genre): _zipf([_text(style) for style in styles], 1.05)
            for genre, styles in styles_by_genre.items()
        }

    @staticmethod
    def _text_pool(setup: random.Random, size: int, make: Callable[[random.Random], str]) -> list[str]:
        return [make(setup) for _ in range(size)]

    def _title(self, setup: random.Random) -> str:
        template = _TITLE_TEMPLATES.pick(setup.random())
        while "{" in template:
            head, _, rest = template.partition("{")
            key, _, tail = rest.partition("}")
            value = {
                "w": lambda: setup.choice(_TITLE_WORDS),
                "n": lambda: str(setup.randint(1, 12)),
                "cjk": lambda: setup.choice(_CJK_TITLE_WORDS),
                "e": lambda: setup.choice(_EMOJI),
                "city": lambda: setup.choice(_FREE_TEXT_CITIES),
            }[key]()
            template = head + value + tail
        return _text(template)

    def _some_person(self, setup: random.Random) -> str:
        return self.artist_name(setup.randrange(self.scale.artists))

    def _some_label(self, setup: random.Random) -> str:
        return self.label_name(setup.randrange(self.scale.labels))

    def _note_sentence(self, setup: random.Random) -> str:
        year = setup.randint(FIRST_YEAR, LAST_YEAR)
        options = (
            f"Recorded at {setup.choice(_FREE_TEXT_CITIES)} Sound Studios, {year}.",
            f"℗ {year} {self._some_label(setup)} © {year + setup.randint(0, 2)} {self._some_label(setup)}",
            f"Made in {setup.choice(['Germany', 'the EU', 'UK', 'USA', 'Japan', 'Canada', 'Holland'])}.",
            f"Tracks [b]A{setup.randint(1, 4)}[/b] and [b]B{setup.randint(1, 4)}[/b] are exclusive "
            "to this release.",
            "Comes in a gatefold sleeve with a 12-page booklet & printed inner sleeve.",
            f"Dedicated to the memory of [a={self._some_person(setup)}] {setup.choice(_EMOJI)}",
            f"All tracks written & produced by {self._some_person(setup)}.",
            f'Mastered at "The Exchange", {setup.choice(_FREE_TEXT_CITIES)}.',
            f"Limited to {setup.choice([300, 500, 1000])} copies, hand-numbered.",
            "Japanese pressing with obi (帯付き) and lyric insert: 歌詞カード付き.",
            f"Catalog number on spine: {setup.choice('ABCDEFGHKMRSTX')}{setup.randint(10, 9999)}.",
            f"Distributed by [l={self._some_label(setup)}] under license from {self._some_label(setup)}.",
            "Track times not given on the release; durations taken from the CD <Side A> insert.",
            f"Vocals on track {setup.randint(1, 12)} courtesy of [a={self._some_person(setup)}] & friends.",
            f"Recorded live at the {setup.choice(_FREE_TEXT_CITIES)} Jazz Festival, {year}. "
            f"Mixed in {year + 1}.",
            f'Sticker on shrinkwrap: "Includes the hit single {setup.choice(_TITLE_WORDS)}!"',
            f"This release was remastered from the original tapes in {min(LAST_YEAR, year + 20)}.",
            "Unofficial release. Sound quality is poor: it was sourced from a vinyl rip.",
            f"Artwork by [a={self._some_person(setup)}] — photography © {year} {self._some_person(setup)}.",
            f"Also available as a limited {setup.choice(['red', 'clear', 'splatter'])} vinyl edition.",
            f"Все песни записаны в {setup.choice(['Москве', 'Киеве', 'Ленинграде'])} в {year} году.",  # noqa: RUF001
        )
        return _text(setup.choice(options))

    def _profile_sentence(self, setup: random.Random) -> str:
        options = (
            f"{setup.choice(['German', 'British', 'American', 'French', 'Swedish', 'Japanese'])} "
            f"{setup.choice(['producer', 'DJ', 'singer-songwriter', 'guitarist', 'composer', 'label'])} "
            f"based in {setup.choice(_FREE_TEXT_CITIES)}.",
            f"Started releasing music in {setup.randint(FIRST_YEAR, LAST_YEAR)} "
            f"on [l={self._some_label(setup)}].",
            f"Not to be confused with [a={self._some_person(setup)}].",
            f"See also [a{setup.randint(1, self.artist_id(self.scale.artists - 1))}] and "
            f"[l{setup.randint(1, self.scale.labels)}].",
            f"Collaborated with [a={self._some_person(setup)}] & [a={self._some_person(setup)}] "
            "on several records.",
            "[b]Please do not add unofficial releases here.[/b]",
            f"Founded in {setup.randint(FIRST_YEAR, LAST_YEAR)} by {self._some_person(setup)} "
            f'as a "home for {setup.choice(_TITLE_WORDS).lower()} music".',
            f"Contact: [url=https://example.org/{setup.randint(100, 99999)}]official site[/url]",
            "日本のエレクトロニック・ミュージック・プロデューサー。",
            f'Best known for the {setup.randint(FIRST_YEAR, LAST_YEAR)} hit "{setup.choice(_TITLE_WORDS)}" '
            f"{setup.choice(_EMOJI)}.",
        )
        return _text(setup.choice(options))

    def _video_description(self, setup: random.Random) -> str:
        year = setup.randint(FIRST_YEAR, LAST_YEAR)
        track = setup.choice(_TITLE_WORDS)
        options = (
            f"Provided to YouTube by {self._some_label(setup)}\n\n{track} · {self._some_person(setup)}\n\n"
            f"℗ {year} {self._some_label(setup)}\n\nReleased on: {year}-{setup.randint(1, 12):02d}-01\n\n"
            "Auto-generated by YouTube.",
            f"{self._some_person(setup)} - {track} (Official Video)\nDirected by {self._some_person(setup)}\n"
            f"Listen to more: https://lnk.to/{setup.randint(1000, 99999)}",
            f'From the album "{setup.choice(_TITLE_WORDS)} {track}" ({year}).\nBuy & stream: '
            f"https://example.bandcamp.com/album/{setup.randint(1, 9999)}",
            f'Official audio for "{track}" by {self._some_person(setup)}, taken from the {year} album on '
            f"{self._some_label(setup)}.\nSubscribe for more: "
            f"https://www.youtube.com/channel/UC{setup.randint(10**9, 10**10)}"
            f"\n\nFollow:\nInstagram • https://instagram.com/{setup.choice(_TITLE_WORDS).lower()}\n"
            f"Facebook • https://facebook.com/{setup.choice(_TITLE_WORDS).lower()}",
            f"{track} {setup.choice(_EMOJI)}",
            f"Live at {setup.choice(_FREE_TEXT_CITIES)}, {year}. Filmed by a fan <3",
            "",
        )
        # Most real descriptions are the long, templated ones.
        return _text(
            options[int(setup.random() * 4) if setup.random() < 0.8 else 4 + int(setup.random() * 3)]
        )

    @staticmethod
    def _duration(setup: random.Random) -> str:
        if setup.random() < 0.03:
            seconds = setup.randint(600, 5400)
        else:
            seconds = int(setup.gauss(250, 70))
            seconds = max(45, seconds)
        minutes, seconds = divmod(seconds, 60)
        if minutes >= 60:
            hours, minutes = divmod(minutes, 60)
            return f"{hours}:{minutes:02d}:{seconds:02d}"
        return f"{minutes}:{seconds:02d}"

    @staticmethod
    def _year(unit: float) -> int:
        # Skewed towards recent years, as the catalogue is.
        return LAST_YEAR - int((LAST_YEAR - FIRST_YEAR + 1) * unit**1.4)

    def _tags(self, rand: Callable[[], float]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        genre_count = _GENRE_COUNT.pick(rand())
        genres: list[str] = []
        while len(genres) < genre_count:
            genre = self._genres.pick(rand())
            if genre not in genres:
                genres.append(genre)
        style_count = _STYLE_COUNT.pick(rand())
        styles: list[str] = []
        for _ in range(style_count * 2):
            style = self._styles_by_genre[genres[int(rand() * len(genres))]].pick(rand())
            if style not in styles:
                styles.append(style)
                if len(styles) == style_count:
                    break
        return tuple(genres), tuple(styles)

    @staticmethod
    def _tags_xml(genres: Sequence[str], styles: Sequence[str]) -> str:
        genres_xml = "<genres>" + "".join(f"<genre>{genre}</genre>" for genre in genres) + "</genres>"
        if not styles:
            return genres_xml
        return genres_xml + "<styles>" + "".join(f"<style>{style}</style>" for style in styles) + "</styles>"

    def _ghost_artist(self, rand: Callable[[], float]) -> int:
        return self.scale.artists + int(rand() * self._ghost_artists)

    def _performer(self, rand: Callable[[], float]) -> int:
        return self._performer_draw.index(rand())

    def _anv(self, index: int, rand: Callable[[], float]) -> str:
        """One of the artist's name variations, escaped, as credited on a release."""
        variations = self._name_variations_xml(index)
        return variations[int(rand() * len(variations))]

    def _main_artists(self, rand: Callable[[], float]) -> tuple[tuple[int, ...], str, str]:
        """Main artist credits: (artist ids, `<artists>` XML, escaped first name for video titles)."""
        unit = rand()
        if unit < 0.05:
            name = _text(ARTISTS_WITHOUT_RECORD[VARIOUS_ID])
            return (
                (VARIOUS_ID,),
                f"<artists><artist><id>{VARIOUS_ID}</id><name>{name}</name></artist></artists>",
                name,
            )
        if unit < 0.054:
            hub_id = 355 if unit < 0.0535 else 118760
            name = _text(ARTISTS_WITHOUT_RECORD[hub_id])
            return (
                (hub_id,),
                f"<artists><artist><id>{hub_id}</id><name>{name}</name></artist></artists>",
                name,
            )
        count = _ARTIST_COUNT.pick(rand())
        indices: list[int] = []
        while len(indices) < count:
            index = self._ghost_artist(rand) if rand() < self.dangling_fraction else self._performer(rand)
            if index not in indices:
                indices.append(index)
        parts = ["<artists>"]
        for position, index in enumerate(indices):
            name = self._artist_name_xml(index)
            parts.append(f"<artist><id>{self.artist_id(index)}</id><name>{name}</name>")
            if rand() < 0.08:
                parts.append(f"<anv>{self._anv(index, rand)}</anv>")
            if position + 1 < count:
                parts.append(f"<join>{_JOINS.pick(rand())}</join>")
            parts.append("</artist>")
        parts.append("</artists>")
        return (
            tuple(self.artist_id(index) for index in indices),
            "".join(parts),
            self._artist_name_xml(indices[0]),
        )

    def _name_variations(self, index: int) -> tuple[str, ...]:
        """Escaped spellings an artist is also credited as: capitals, initials, parts of the name."""
        name = self.artist_name(index).split(" (")[0]
        words = name.split(" ")
        variations = [name.upper(), name.replace(" ", "")]
        if len(words) >= 2:
            variations += [f"{words[0][0]}. {' '.join(words[1:])}", words[-1], " ".join(words[:-1])]
        else:
            variations += [name.lower(), f"{name} Project", f"The {name}"]
        return tuple(_text(variation) for variation in dict.fromkeys(variations) if variation != name)

    def _videos_xml(self, rand: Callable[[], float], count: int, headline: str) -> str:
        parts = ["<videos>"]
        for _ in range(count):
            # Two draws: one random() carries 53 bits, a YouTube id 66.
            video_bits = int(rand() * (1 << 48)) << 24 | int(rand() * (1 << 24))
            youtube_id = base64.urlsafe_b64encode(video_bits.to_bytes(9, "big")).decode()[:11]
            title = f"{headline} - {self._track_titles[int(rand() * len(self._track_titles))]}"
            description = self._video_descriptions[int(rand() * len(self._video_descriptions))]
            duration = int(rand() * 420) + 30
            parts.append(
                f'<video src="https://www.youtube.com/watch?v={youtube_id}" duration="{duration}" '
                'embed="true">'
                f"<title>{title}</title>"
            )
            if description:
                parts.append(f"<description>{description}</description>")
            parts.append("</video>")
        parts.append("</videos>")
        return "".join(parts)

    def _images_xml(self, rand: Callable[[], float]) -> str:
        count = 1 + int(rand() * 4)
        images = ['<image type="primary" uri="" uri150="" width="600" height="600"/>']
        images += ['<image type="secondary" uri="" uri150="" width="600" height="600"/>'] * (count - 1)
        return "<images>" + "".join(images) + "</images>"

    def _paragraphs(self, rand: Callable[[], float], pool: Sequence[str], mean_sentences: float) -> str:
        sentences = 1 + int(-math.log(1.0 - rand()) * (mean_sentences - 1))
        parts = []
        for position in range(sentences):
            if position:
                unit = rand()
                parts.append("&#13;\n" if unit < 0.3 else "\n" if unit < 0.6 else " ")
            parts.append(pool[int(rand() * len(pool))])
        return "".join(parts)

    # -- records --

    def artist_records(self) -> Iterator[str]:
        """`<artist>` records of every artist index, in id order."""
        rng = random.Random(f"{self.seed}:artists")
        rand = rng.random
        tally = self._tally
        for index in range(self.scale.artists):
            parts = ["<artist>"]
            if self.images and rand() < 0.2:
                parts.append(self._images_xml(rand))
            parts.append(f"<id>{self.artist_id(index)}</id><name>{self._artist_name_xml(index)}</name>")
            family = self._alias_family(index)
            slot = index % _BLOCK
            if slot in _ALIAS_SLOTS[1:] and family:  # a stage name's real name is its family's person
                parts.append(f"<realname>{self._artist_name_xml(family[0])}</realname>")
            elif not self._is_group(index) and rand() < 0.3:
                parts.append(
                    f"<realname>{_text(self._person_name(int(rand() * _PERSON_NAME_COMBOS)))}</realname>"
                )
            if rand() < 0.4:
                parts.append(f"<profile>{self._paragraphs(rand, self._profile_sentences, 2.8)}</profile>")
            parts.append(f"<data_quality>{_ENTITY_DATA_QUALITY.pick(rand())}</data_quality>")
            if rand() < 0.2:
                parts.append(self._urls_xml(rand, f"artist{self.artist_id(index)}"))
            if rand() < 0.3:
                variations = self._name_variations_xml(index)[: 1 + int(rand() * 5)]
                parts.append(
                    "<namevariations>"
                    + "".join(f"<name>{v}</name>" for v in variations)
                    + "</namevariations>"
                )
            aliases = [member for member in family if member != index]
            if aliases and rand() < self.dangling_fraction:
                aliases.append(self._ghost_artist(rand))
                tally.dangling["alias"] += 1
            if aliases:
                tally.edges["ALIAS_OF"] += len(aliases)
                parts.append("<aliases>" + self._artist_names_xml(aliases) + "</aliases>")
            if self._is_group(index):
                members = self._members(index)
                if members and rand() < self.dangling_fraction:
                    members.append(self._ghost_artist(rand))
                    tally.dangling["member"] += 1
                if members:
                    tally.edges["MEMBER_OF"] += len(members)
                    parts.append("<members>" + self._artist_names_xml(members) + "</members>")
            else:
                groups = self._groups(index)
                if groups and rand() < self.dangling_fraction:
                    groups.append(self._ghost_artist(rand))
                    tally.dangling["group"] += 1
                    tally.edges["MEMBER_OF"] += 1  # the consistent pair is counted on the group's side
                if groups:
                    parts.append("<groups>" + self._artist_names_xml(groups) + "</groups>")
            parts.append("</artist>")
            tally.records["artists"] += 1
            yield "".join(parts)

    def _artist_names_xml(self, indices: Sequence[int]) -> str:
        return "".join(f'<name id="{self.artist_id(i)}">{self._artist_name_xml(i)}</name>' for i in indices)

    def _urls_xml(self, rand: Callable[[], float], handle: str) -> str:
        templates = (
            "https://www.facebook.com/{h}",
            "https://soundcloud.com/{h}",
            "https://{h}.bandcamp.com/",
            "https://www.instagram.com/{h}/",
            "https://en.wikipedia.org/wiki/{h}",
            "https://www.youtube.com/@{h}",
            "http://www.example.com/cgi-bin/focus.cgi?name={h}&section=S,T,U",
        )
        count = 1 + int(rand() * 4)
        urls = [templates[int(rand() * len(templates))].replace("{h}", handle) for _ in range(count)]
        return "<urls>" + "".join(f"<url>{_text(url)}</url>" for url in urls) + "</urls>"

    def label_records(self) -> Iterator[str]:
        """`<label>` records of every label index, in id order."""
        rng = random.Random(f"{self.seed}:labels")
        rand = rng.random
        tally = self._tally
        for index in range(self.scale.labels):
            name = self.label_name(index)
            parts = ["<label>"]
            if self.images and rand() < 0.25:
                parts.append(self._images_xml(rand))
            parts.append(f"<id>{index + 1}</id><name>{_text(name)}</name>")
            if rand() < 0.13:
                city = _FREE_TEXT_CITIES[int(rand() * len(_FREE_TEXT_CITIES))]
                contact = (
                    f"{name}\r\n{int(rand() * 300) + 1} Main Street\r\n"
                    f"{int(rand() * 90000) + 10000} {city}\r\n"
                    f"Tel: +{int(rand() * 90) + 1} {int(rand() * 9_000_000) + 1_000_000}\r\n"
                    f"info@label{index + 1}.example"
                )
                parts.append(f"<contactinfo>{_text(contact)}</contactinfo>")
            if rand() < 0.35:
                parts.append(f"<profile>{self._paragraphs(rand, self._profile_sentences, 2.4)}</profile>")
            parts.append(f"<data_quality>{_ENTITY_DATA_QUALITY.pick(rand())}</data_quality>")
            parent = self._parent_label(index)
            # About one label in eight has a parent: scaled so that parent references dangle at the set rate.
            if parent is None and rand() < self.dangling_fraction / 8:
                parent = self.scale.labels + int(rand() * self._ghost_labels)
                tally.dangling["parent_label"] += 1
            if parent is not None:
                tally.edges["SUBLABEL_OF"] += 1
                parts.append(f'<parentLabel id="{parent + 1}">{self._label_name_xml(parent)}</parentLabel>')
            if rand() < 0.15:
                parts.append(self._urls_xml(rand, f"label{index + 1}"))
            sublabels = self._sublabels(index)
            if sublabels and rand() < self.dangling_fraction:
                sublabels.append(self.scale.labels + int(rand() * self._ghost_labels))
                tally.dangling["sublabel"] += 1
                tally.edges["SUBLABEL_OF"] += 1  # the consistent pairs are counted on the child's side
            if sublabels:
                parts.append(
                    "<sublabels>"
                    + "".join(f'<label id="{i + 1}">{self._label_name_xml(i)}</label>' for i in sublabels)
                    + "</sublabels>"
                )
            parts.append("</label>")
            tally.records["labels"] += 1
            yield "".join(parts)

    def master_records(self) -> Iterator[str]:
        """`<master>` records of every master index, in id order."""
        rng = random.Random(f"{self.seed}:masters")
        rand = rng.random
        tally = self._tally
        for index in range(self.scale.masters):
            core = self._master_core(index)
            parts = [f'<master id="{index + 1}"><main_release>{self.main_release_id(index)}</main_release>']
            if self.images and rand() < 0.9:
                parts.append(self._images_xml(rand))
            parts.append(core.artists_xml)
            parts.append(core.tags_xml)
            if rand() < 0.04:
                parts.append(f"<notes>{self._paragraphs(rand, self._note_sentences, 1.5)}</notes>")
            parts.append(
                f"<year>{core.year}</year><title>{core.title}</title>"
                f"<data_quality>{_DATA_QUALITY.pick(rand())}</data_quality>"
            )
            if rand() < 0.6:
                parts.append(self._videos_xml(rand, 1 + int(-math.log(1.0 - rand()) * 3.2), core.headline))
            parts.append("</master>")
            self._count_main_artists(core.artist_ids, "Master", "master_artist")
            tally.count_tags(core.genres, core.styles, "Master")
            tally.records["masters"] += 1
            yield "".join(parts)

    def _count_main_artists(self, artist_ids: Sequence[int], source: str, dangling_kind: str) -> None:
        tally = self._tally
        tally.edges[f"BY {source}->Artist"] += len(artist_ids)
        for artist_id in artist_ids:
            if artist_id in ARTISTS_WITHOUT_RECORD:
                tally.hub_credits[str(artist_id)] += 1
            elif artist_id > self._max_artist_id:
                tally.dangling[dangling_kind] += 1

    def release_records(self) -> Iterator[str]:
        """`<release>` records of every release index, in id order."""
        rng = random.Random(f"{self.seed}:releases")
        for index in range(self.scale.releases):
            yield self._release(index, rng.random)

    def _release(self, index: int, rand: Callable[[], float]) -> str:
        tally = self._tally
        titles = self._titles
        master = self._master_of_release(index)
        if master is None:
            artist_ids, artists_xml, headline = self._main_artists(rand)
            genres, styles = self._tags(rand)
            tags_xml = self._tags_xml(genres, styles)
            title = titles[int(rand() * len(titles))]
            year = self._year(rand())
            if rand() < self.dangling_fraction:
                ghost_master_id = self.scale.masters + 1 + int(rand() * self._ghost_masters)
                master_xml = f'<master_id is_main_release="false">{ghost_master_id}</master_id>'
                tally.dangling["release_master"] += 1
                tally.edges["DERIVED_FROM"] += 1
            else:
                master_xml = '<master_id is_main_release="false">0</master_id>'
        else:
            master_index, position = master
            core = self._master_core(master_index)
            artist_ids, artists_xml, headline = core.artist_ids, core.artists_xml, core.headline
            genres, styles, tags_xml, title = core.genres, core.styles, core.tags_xml, core.title
            year = (
                core.year if position == 0 else min(LAST_YEAR, core.year + int(-math.log(1.0 - rand()) * 8))
            )
            is_main = "true" if position == 0 else "false"
            master_xml = f'<master_id is_main_release="{is_main}">{master_index + 1}</master_id>'
            tally.edges["DERIVED_FROM"] += 1
        self._count_main_artists(artist_ids, "Release", "release_artist")
        tally.count_tags(genres, styles, "Release")
        compilation = artist_ids == (VARIOUS_ID,)

        profile = _FORMATS.pick(rand())
        discs = profile.discs[int(rand() * len(profile.discs))]
        low, high = profile.tracks
        per_disc = low + int(rand() * (high - low + 1))
        positions = self._positions(profile.numbering, discs, per_disc)

        parts = [f'<release id="{index + 1}" status="Accepted">']
        if self.images and rand() < 0.95:
            parts.append(self._images_xml(rand))
        parts.append(artists_xml)
        parts.append(f"<title>{title}</title>")
        parts.append(self._release_labels_xml(rand))
        if rand() < 0.04:
            series = self._label_draw.index(rand())
            parts.append(
                f'<series><series name="{self._label_name_attr(series)}" catno="Vol. {int(rand() * 40) + 1}" '
                f'id="{series + 1}"/></series>'
            )
        if rand() < 0.62:
            parts.append(self._extra_artists_xml(rand, positions))
        parts.append(self._formats_xml(rand, profile, discs))
        parts.append(tags_xml)
        if rand() < 0.97:
            parts.append(f"<country>{_COUNTRIES.pick(rand())}</country>")
        parts.append(self._released_xml(rand, year))
        if rand() < 0.62:
            parts.append(f"<notes>{self._paragraphs(rand, self._note_sentences, 3.4)}</notes>")
        parts.append(f"<data_quality>{_DATA_QUALITY.pick(rand())}</data_quality>")
        parts.append(master_xml)
        # Compilations credit an artist on every track; splits and feats on some other releases.
        track_artists = 1.0 if compilation else 0.25 if rand() < 0.15 else 0.0
        parts.append(self._tracklist_xml(rand, positions, track_artists))
        if rand() < 0.58:
            parts.append(self._identifiers_xml(rand, profile.name))
        if rand() < 0.53:
            parts.append(self._videos_xml(rand, 1 + int(-math.log(1.0 - rand()) * 4.3), headline))
        if rand() < 0.56:
            parts.append(self._companies_xml(rand))
        parts.append("</release>")
        tally.records["releases"] += 1
        return "".join(parts)

    def _release_labels_xml(self, rand: Callable[[], float]) -> str:
        tally = self._tally
        count = _LABEL_COUNT.pick(rand())
        label_ids: list[int] = []
        parts = ["<labels>"]
        for _ in range(count):
            if rand() < self.dangling_fraction:
                index = self.scale.labels + int(rand() * self._ghost_labels)
            else:
                index = self._label_draw.index(rand())
            if index + 1 in label_ids:
                continue
            label_ids.append(index + 1)
            if index >= self.scale.labels:
                tally.dangling["release_label"] += 1
            prefix = self._catalog_prefix(index)
            number = int(rand() * 999) + 1
            catno = f"{prefix} {number:03d}" if rand() < 0.5 else f"{prefix}{number}"
            if rand() < 0.06:
                catno = "none"
            parts.append(f'<label name="{self._label_name_attr(index)}" catno="{catno}" id="{index + 1}"/>')
            if rand() < 0.04:  # the same label again under a second catalogue number, as real dumps do
                parts.append(
                    f'<label name="{self._label_name_attr(index)}" catno="{prefix}-{number}CD" '
                    f'id="{index + 1}"/>'
                )
        parts.append("</labels>")
        tally.edges["ON"] += len(label_ids)
        return "".join(parts)

    def _catalog_prefix(self, label_index: int) -> str:
        code = self._hash(6, label_index)
        length = 2 + code % 3
        return "".join(chr(65 + (code >> (8 + 5 * i)) % 26) for i in range(length))

    @staticmethod
    def _positions(numbering: str, discs: int, per_disc: int) -> list[str]:
        if numbering == "numbers" and discs == 1:
            return [str(number) for number in range(1, per_disc + 1)]
        if numbering == "sides":
            positions = []
            for disc in range(discs):
                front = (per_disc + 1) // 2
                for side, count in ((2 * disc, front), (2 * disc + 1, per_disc - front)):
                    letter = chr(65 + side)
                    positions += [letter] if count == 1 else [f"{letter}{n}" for n in range(1, count + 1)]
            return positions
        return [f"{disc}-{number}" for disc in range(1, discs + 1) for number in range(1, per_disc + 1)]

    def _credit_person(self, rand: Callable[[], float]) -> tuple[int | None, str]:
        """A credited person: (artist index or None for a free-text credit, its escaped name).

        Counts the Person node it implies: free-text names are kept as such, artists by slot.
        """
        unit = rand()
        if unit < 0.015:
            name = self._free_text_names[int(rand() * len(self._free_text_names))]
            self._tally.free_text_persons.add(name)
            return None, name
        if unit < 0.015 + self.dangling_fraction:
            index = self._ghost_artist(rand)
            self._tally.dangling["credit_artist"] += 1
        elif unit < 0.3:  # producers and players who also release under their own name
            index = self._performer(rand)
        else:
            index = self._performers + self._credit_draw.index(rand())
        self._tally.credited_artists[index] = 1
        return index, self._artist_name_xml(index)

    def _role(self, rand: Callable[[], float], roles: _Weighted[str]) -> str:
        role = roles.pick(rand())
        unit = rand()
        if unit < 0.12:
            second_role = roles.pick(rand())
            if second_role != role:
                role = f"{role}, {second_role}"
        elif unit < 0.2:
            role = f"{role} [{_ROLE_DETAILS[int(rand() * len(_ROLE_DETAILS))]}]"
        return role

    def _credit_xml(
        self, rand: Callable[[], float], index: int | None, name: str, role: str, tracks: str
    ) -> str:
        xml = "<artist>" if index is None else f"<artist><id>{self.artist_id(index)}</id>"
        xml += f"<name>{name}</name>"
        if index is not None and rand() < 0.15:
            xml += f"<anv>{self._anv(index, rand)}</anv>"
        xml += f"<role>{role}</role>"
        if tracks:
            xml += f"<tracks>{tracks}</tracks>"
        return xml + "</artist>"

    def _extra_artists_xml(self, rand: Callable[[], float], positions: Sequence[str]) -> str:
        count = 1 + int(-math.log(1.0 - rand()) * 4.6)
        person_roles: set[tuple[str, str]] = set()
        parts = ["<extraartists>"]
        for _ in range(min(count, 80)):
            index, name = self._credit_person(rand)
            role = self._role(rand, _CREDIT_ROLES)
            person_roles.add((name, role))
            tracks = ""
            if rand() < 0.25 and len(positions) > 1:
                start = int(rand() * (len(positions) - 1))
                end = start + 1 + int(rand() * (len(positions) - start - 1))
                tracks = (
                    f"{positions[start]} to {positions[end]}"
                    if rand() < 0.7
                    else f"{positions[start]}, {positions[end]}"
                )
            parts.append(self._credit_xml(rand, index, name, role, tracks))
        parts.append("</extraartists>")
        self._tally.edges["CREDITED_ON"] += len(person_roles)
        return "".join(parts)

    def _formats_xml(self, rand: Callable[[], float], profile: _FormatProfile, discs: int) -> str:
        descriptions = list(profile.descriptions[int(rand() * len(profile.descriptions))])
        extra = profile.extras.pick(rand())
        if extra and extra not in descriptions:
            descriptions.append(extra)
        text = profile.texts[int(rand() * len(profile.texts))]
        text_attr = "" if rand() < 0.05 else f' text="{_attr(text)}"'
        descriptions_xml = "".join(f"<description>{_text(d)}</description>" for d in descriptions)
        if profile.name == "Box Set":
            return (
                f'<formats><format name="Box Set" qty="1"{text_attr}><descriptions>{descriptions_xml}'
                f'</descriptions></format><format name="CD" qty="{discs}" text=""><descriptions>'
                "<description>Album</description></descriptions></format></formats>"
            )
        return (
            f'<formats><format name="{profile.name}" qty="{discs}"{text_attr}>'
            f"<descriptions>{descriptions_xml}</descriptions></format></formats>"
        )

    @staticmethod
    def _released_xml(rand: Callable[[], float], year: int) -> str:
        unit = rand()
        month, day = 1 + int(rand() * 12), 1 + int(rand() * 28)
        if unit < 0.45:
            return f"<released>{year}-{month:02d}-{day:02d}</released>"
        if unit < 0.78:
            return f"<released>{year}</released>"
        if unit < 0.84:
            return f"<released>{year}-{month:02d}-00</released>"
        if unit < 0.89:
            return f"<released>{year}-00-00</released>"
        if unit < 0.91:
            return "<released></released>"
        return ""

    def _tracklist_xml(
        self, rand: Callable[[], float], positions: Sequence[str], track_artists: float
    ) -> str:
        track_titles = self._track_titles
        parts = ["<tracklist>"]
        if rand() < 0.02:
            parts.append(f"<track><title>{track_titles[int(rand() * len(track_titles))]}</title></track>")
        index_track = int(rand() * len(positions)) if rand() < 0.015 else -1
        for number, position in enumerate(positions):
            title = track_titles[int(rand() * len(track_titles))]
            if number == index_track:
                parts.append(f"<track><title>{title}</title><sub_tracks>")
                for part in range(1, 2 + int(rand() * 4)):
                    parts.append(self._track_xml(rand, f"{position}.{part}", track_artists))
                parts.append("</sub_tracks></track>")
                continue
            parts.append(self._track_xml(rand, position, track_artists))
        parts.append("</tracklist>")
        return "".join(parts)

    def _track_xml(self, rand: Callable[[], float], position: str, track_artists: float) -> str:
        # The hottest path (~9 per release): plain concatenation beats a parts list here.
        track_titles, durations = self._track_titles, self._durations
        xml = (
            f"<track><position>{position}</position>"
            f"<title>{track_titles[int(rand() * len(track_titles))]}</title>"
        )
        if rand() < 0.6:
            xml += f"<duration>{durations[int(rand() * len(durations))]}</duration>"
        if track_artists and rand() < track_artists:
            if rand() < 0.01:
                # 2025 dumps write a track artist without an artist page as id 0.
                free_text_name = self._free_text_names[int(rand() * len(self._free_text_names))]
                artist = f"<id>0</id><name>{free_text_name}</name>"
            else:
                index = self._performer(rand)
                artist = f"<id>{self.artist_id(index)}</id><name>{self._artist_name_xml(index)}</name>"
                if rand() < 0.1:
                    artist += f"<anv>{self._anv(index, rand)}</anv>"
                if rand() < 0.1:
                    artist += f"<join>{_JOINS.pick(rand())}</join>"
            xml += f"<artists><artist>{artist}</artist></artists>"
        if rand() < 0.33:
            xml += "<extraartists>"
            for _ in range(1 + int(rand() * 2.5)):
                if rand() < 0.6:
                    index = self._performers + self._credit_draw.index(rand())
                else:
                    index = self._performer(rand)
                name = self._artist_name_xml(index)
                xml += self._credit_xml(rand, index, name, self._role(rand, _TRACK_ROLES), "")
            xml += "</extraartists>"
        return xml + "</track>"

    def _identifiers_xml(self, rand: Callable[[], float], format_name: str) -> str:
        count = 1 + int(-math.log(1.0 - rand()) * 2.2)
        parts = ["<identifiers>"]
        for _ in range(min(count, 20)):
            kind = _IDENTIFIER_TYPES.pick(rand())
            description = ""
            if kind == "Barcode":
                value = "".join(str(int(rand() * 10)) for _ in range(12 + int(rand() * 2)))
                description = "Text" if rand() < 0.3 else ""
            elif kind == "Matrix / Runout":
                side = "AB"[int(rand() * 2)]
                value = f"{self._catalog_prefix(int(rand() * 1000))} {int(rand() * 999)}-{side}1 ℗"
                description = _RUNOUT_DESCRIPTIONS[int(rand() * len(_RUNOUT_DESCRIPTIONS))]
            elif kind == "Rights Society":
                value = _RIGHTS_SOCIETIES[int(rand() * len(_RIGHTS_SOCIETIES))]
            elif kind == "Label Code":
                value = f"LC {int(rand() * 99999):05d}"
            elif kind in ("Mastering SID Code", "Mould SID Code"):
                value = f"IFPI {'L' if kind[1] == 'a' else ''}{int(rand() * 999):03d}"
            elif kind == "SPARS Code":
                value = ("DDD", "AAD", "ADD")[int(rand() * 3)]
            elif kind == "ISRC":
                registrant = self._catalog_prefix(int(rand() * 50))[:3]
                value = f"GB-{registrant}-{int(rand() * 99):02d}-{int(rand() * 99999):05d}"
            elif kind == "Depósito Legal":
                value = f"M-{int(rand() * 99999)}-{1960 + int(rand() * 60)}"
            else:
                value = f'{format_name} "<{int(rand() * 9999)}>" & co.'
                description = "Printed on sleeve"
            parts.append(
                f'<identifier type="{_attr(kind)}" description="{_attr(description)}" '
                f'value="{_attr(value)}"/>'
            )
        parts.append("</identifiers>")
        return "".join(parts)

    def _companies_xml(self, rand: Callable[[], float]) -> str:
        count = 1 + int(-math.log(1.0 - rand()) * 2.6)
        parts = ["<companies>"]
        for _ in range(min(count, 30)):
            label_index = self._label_draw.index(rand())
            code, type_name = _COMPANY_TYPES.pick(rand())
            parts.append(
                f"<company><id>{label_index + 1}</id><name>{self._label_name_xml(label_index)}</name>"
            )
            if rand() < 0.2:
                parts.append(f"<catno>{self._catalog_prefix(label_index)} {int(rand() * 999)}</catno>")
            parts.append(f"<entity_type>{code}</entity_type><entity_type_name>{type_name}</entity_type_name>")
            if rand() < 0.85:
                parts.append(f"<resource_url>https://api.discogs.com/labels/{label_index + 1}</resource_url>")
            parts.append("</company>")
        parts.append("</companies>")
        return "".join(parts)

    # -- writing --

    def write(self, out_dir: Path, version: str = "20250101", compresslevel: int = 1) -> DumpManifest:
        """Write the four files and manifest.json into `out_dir`; return the manifest."""
        if len(version) != 8 or not version.isdigit():
            raise ValueError(f"version must be YYYYMMDD, got {version!r}")
        out_dir.mkdir(parents=True, exist_ok=True)
        self._tally = self._fresh_tally()
        producers: dict[str, Callable[[], Iterator[str]]] = {
            "artists": self.artist_records,
            "labels": self.label_records,
            "masters": self.master_records,
            "releases": self.release_records,
        }
        files: dict[str, dict[str, int | str]] = {}
        for dump_type in DUMP_TYPES:
            path = out_dir / f"discogs_{version}_{dump_type}.xml.gz"
            uncompressed = _write_gzip_xml(path, dump_type, producers[dump_type](), compresslevel)
            files[dump_type] = {
                "name": path.name,
                "bytes": path.stat().st_size,
                "uncompressed_bytes": uncompressed,
            }
        manifest = self._manifest(version, files)
        (out_dir / "manifest.json").write_text(
            json.dumps(manifest.as_json(), indent=2, ensure_ascii=False) + "\n"
        )
        return manifest

    def _fresh_tally(self) -> _Tally:
        return _Tally(artist_slots=self.scale.artists + self._ghost_artists)

    def _manifest(self, version: str, files: dict[str, dict[str, int | str]]) -> DumpManifest:
        tally = self._tally
        edges = tally.edges
        relationships = {
            "BY": edges["BY Release->Artist"] + edges["BY Master->Artist"],
            "ON": edges["ON"],
            "DERIVED_FROM": edges["DERIVED_FROM"],
            "IS": sum(count for kind, count in edges.items() if kind.startswith("IS ")),
            "PART_OF": len(tally.style_genre_pairs),
            "MEMBER_OF": edges["MEMBER_OF"],
            "ALIAS_OF": edges["ALIAS_OF"],
            "SUBLABEL_OF": edges["SUBLABEL_OF"],
            "CREDITED_ON": edges["CREDITED_ON"],
        }
        sources = {kind: count for kind, count in sorted(edges.items()) if " " in kind}
        dangling_kinds = (
            "release_artist",
            "release_label",
            "release_master",
            "master_artist",
            "credit_artist",
            "member",
            "group",
            "alias",
            "parent_label",
            "sublabel",
        )
        return DumpManifest(
            version=version,
            seed=self.seed,
            dangling_fraction=self.dangling_fraction,
            records={dump_type: tally.records[dump_type] for dump_type in DUMP_TYPES},
            genres=len(tally.genres),
            styles=len(tally.styles),
            relationships=relationships,
            relationship_sources=sources,
            persons=sum(tally.credited_artists) + len(tally.free_text_persons),
            dangling_references={kind: tally.dangling[kind] for kind in dangling_kinds},
            credits_of_artists_without_record={
                key: tally.hub_credits[key] for key in sorted(tally.hub_credits)
            },
            files=files,
        )


def _write_gzip_xml(path: Path, dump_type: str, records: Iterator[str], compresslevel: int) -> int:
    """Stream records into a gzip file, one per line inside the root element; return bytes before gzip."""
    written = 0
    # A zlib-made gzip header has no file name and mtime 0: the same records give the same bytes.
    compressor = isal_zlib.compressobj(compresslevel, isal_zlib.DEFLATED, 16 + isal_zlib.MAX_WBITS)
    with path.open("wb") as handle:
        batch = [f"<{dump_type}>\n"]
        for record in records:
            batch.append(record)
            batch.append("\n")
            if len(batch) >= 2 * _RECORDS_PER_WRITE:
                chunk = "".join(batch).encode()
                handle.write(compressor.compress(chunk))
                written += len(chunk)
                batch = []
        batch.append(f"</{dump_type}>")
        chunk = "".join(batch).encode()
        handle.write(compressor.compress(chunk))
        handle.write(compressor.flush())
        written += len(chunk)
    return written


def generate_dump(
    out_dir: Path,
    releases: int,
    seed: int = 0,
    version: str = "20250101",
    dangling_fraction: float = 0.005,
    compresslevel: int = 1,
    images: bool = False,
) -> DumpManifest:
    """Write a synthetic dump of `releases` releases (and proportional artists, labels, masters)."""
    dump = SyntheticDump(releases, seed=seed, dangling_fraction=dangling_fraction, images=images)
    return dump.write(out_dir, version=version, compresslevel=compresslevel)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the dump, print the manifest as JSON and the speed on stderr."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.synthetic_dump",
        description="Write a synthetic Discogs dump (four .xml.gz files and manifest.json).",
    )
    parser.add_argument(
        "--releases", type=int, required=True, help="number of releases; the rest scales with it"
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--version", default="20250101", help="dump version in the file names, YYYYMMDD")
    parser.add_argument(
        "--dangling-fraction", type=float, default=0.005, help="share of references to missing records"
    )
    parser.add_argument("--compresslevel", type=int, default=1, choices=range(4), help="isal gzip level 0-3")
    parser.add_argument("--images", action="store_true", help="add the pre-2025 <images> elements")
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate_dump(
        arguments.out,
        arguments.releases,
        seed=arguments.seed,
        version=arguments.version,
        dangling_fraction=arguments.dangling_fraction,
        compresslevel=arguments.compresslevel,
        images=arguments.images,
    )
    seconds = time.perf_counter() - started
    uncompressed = sum(int(entry["uncompressed_bytes"]) for entry in manifest.files.values())
    print(json.dumps(manifest.as_json(), indent=2, ensure_ascii=False))
    print(
        f"wrote {arguments.releases} releases in {seconds:.1f} s: "
        f"{arguments.releases / seconds:,.0f} releases/s, "
        f"{uncompressed / seconds / 1e6:,.1f} MB/s of XML",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
