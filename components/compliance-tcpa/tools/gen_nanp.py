#!/usr/bin/env python3
"""Regenerates src/data/nanp.rs from libphonenumber (Apache-2.0).

Reads, for country calling code +1 only:
  resources/timezones/map_data.txt   prefix -> IANA time zones (`&`-separated)
  resources/geocoding/en/1.txt       prefix -> place (`New Jersey`, `Jersey City, NJ`)

Usage (from the crate directory):
  python3 tools/gen_nanp.py --git-dir /path/to/libphonenumber/.git [--rev HEAD] > src/data/nanp.rs
then `cargo fmt`. The generator stops with an error on an area code it cannot place, so
a new area code upstream is noticed rather than silently dropped.
"""

import argparse
import collections
import subprocess
import sys

STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH",
    "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
    "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA",
    "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN",
    "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington State": "WA",
    "Washington D.C.": "DC", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
}
US_CODES = set(STATES.values())
PROVINCES = {
    "Alberta": "AB", "British Columbia": "BC", "British Colombia": "BC", "Manitoba": "MB",
    "New Brunswick": "NB", "Newfoundland and Labrador": "NL", "Nova Scotia/Prince Edward Island": "NS",
    "Northwest Territories/Nunavut/Yukon": "NT", "Ontario": "ON", "Quebec": "QC", "Saskatchewan": "SK",
}
CA_CODES = set(PROVINCES.values()) | {"PE", "NU", "YT"}
# US territories (NANPA): not in geocoding/en/1.txt, which covers the 50 states, DC and Canada.
TERRITORIES = {340: "VI", 670: "MP", 671: "GU", 684: "AS", 787: "PR", 939: "PR"}
# The other NANP countries (NANPA), by ISO 3166 code.
CARIBBEAN = {
    242: "BS", 246: "BB", 264: "AI", 268: "AG", 284: "VG", 345: "KY", 441: "BM", 473: "GD",
    649: "TC", 658: "JM", 664: "MS", 721: "SX", 758: "LC", 767: "DM", 784: "VC", 809: "DO",
    829: "DO", 849: "DO", 868: "TT", 869: "KN", 876: "JM",
}


def read(git_dir, rev, path):
    out = subprocess.run(["git", "--git-dir", git_dir, "show", f"{rev}:{path}"], check=True,
                         capture_output=True, text=True)
    return out.stdout


def entries(text):
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "|" not in line:
            continue
        prefix, value = line.split("|", 1)
        if prefix.startswith("1") and len(prefix) >= 4:
            yield prefix[1:], value.strip()


def tz_ident(zone):
    return "Tz::" + zone.replace("/", "__").replace("-", "")


def place(npa, geo):
    """(region, code) of an area code."""
    if npa in TERRITORIES:
        return "Us", TERRITORIES[npa]
    if npa in CARIBBEAN:
        return "Caribbean", CARIBBEAN[npa]
    name = geo.get(str(npa))
    if name is not None:
        if name in STATES:
            return "Us", STATES[name]
        if name in PROVINCES:
            return "Canada", PROVINCES[name]
        if ", " in name:
            code = name.rsplit(", ", 1)[1]
            if code in US_CODES:
                return "Us", code
            if code in CA_CODES:
                return "Canada", code
    # No area-code line: the state most of its exchanges name (`Stamford, CT`).
    votes = collections.Counter()
    for prefix, value in geo.items():
        if len(prefix) > 3 and prefix.startswith(str(npa)) and ", " in value:
            votes[value.rsplit(", ", 1)[1]] += 1
    if votes:
        code = votes.most_common(1)[0][0]
        if code in US_CODES:
            return "Us", code
        if code in CA_CODES:
            return "Canada", code
    sys.exit(f"gen_nanp: cannot place area code {npa} ({name!r}); add it to the tables above")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--rev", default="HEAD")
    args = ap.parse_args()
    commit = subprocess.run(["git", "--git-dir", args.git_dir, "rev-parse", args.rev], check=True,
                            capture_output=True, text=True).stdout.strip()
    tz = dict(entries(read(args.git_dir, commit, "resources/timezones/map_data.txt")))
    geo = dict(entries(read(args.git_dir, commit, "resources/geocoding/en/1.txt")))

    prefixes = sorted(tz.items())
    areas = collections.defaultdict(set)
    for prefix, zones in prefixes:
        areas[int(prefix[:3])].update(zones.split("&"))

    w = sys.stdout.write
    w("// @generated by tools/gen_nanp.py: do not edit by hand, run the generator again.\n")
    w("//\n")
    w("// Source: libphonenumber, https://github.com/google/libphonenumber, commit\n")
    w(f"// {commit}, files resources/timezones/map_data.txt and\n")
    w("// resources/geocoding/en/1.txt (country code +1 entries only).\n")
    w("// Copyright (C) 2011-2012 The Libphonenumber Authors. Licensed under the Apache License,\n")
    w("// Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0); this table is derived from them.\n\n")
    w("use super::Region;\nuse chrono_tz::Tz;\n\n")
    w(f'/// The libphonenumber commit the tables come from.\npub const SOURCE_COMMIT: &str = "{commit}";\n\n')
    w("/// National prefixes (area code and the start of the exchange) and the time zones a number\n")
    w("/// under them may be in, sorted by prefix for binary search.\n")
    w("pub static PREFIX_ZONES: &[(&str, &[Tz])] = &[\n")
    for prefix, zones in prefixes:
        z = ", ".join(tz_ident(x) for x in sorted(zones.split("&")))
        w(f'    ("{prefix}", &[{z}]),\n')
    w("];\n\n")
    w("/// Area codes: where they are (state, territory, province or country code) and every time\n")
    w("/// zone any number under them may be in, sorted by area code.\n")
    w("pub static AREA_CODES: &[(u16, Region, &str, &[Tz])] = &[\n")
    for npa in sorted(areas):
        region, code = place(npa, geo)
        z = ", ".join(tz_ident(x) for x in sorted(areas[npa]))
        w(f'    ({npa}, Region::{region}, "{code}", &[{z}]),\n')
    w("];\n")


if __name__ == "__main__":
    main()
