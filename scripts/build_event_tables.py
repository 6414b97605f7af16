"""Derive the country tables in ``src/realpolitik/data/events/`` (run by hand; needs ``pycountry``).

- ``iso3166.tsv``: ISO 3166-1 alpha-3 codes with their names, from pycountry's copy of the standard.
- ``cameo_iso3.tsv``: every CAMEO country/region code (``cameo_countries.tsv``) with its ISO alpha-3 code
  where there is one: identical codes map to themselves; the 33 non-ISO codes follow the reading in
  ``shared/events/FORMATS.md`` §8.1 (regions and the Netherlands Antilles map to nothing).
- ``country_names.tsv``: lower-case country names (ISO names, common and official names, CAMEO labels, and
  the aliases below) to alpha-3, for data sets that give names (ICEWS).
- ``cow_iso3.tsv``: Correlates of War state abbreviations and numbers to alpha-3 (states of the COW
  state list that have an ISO successor; historical states without one are left out).

Usage: python scripts/build_event_tables.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parents[1] / "src" / "realpolitik" / "data" / "events"

CAMEO_NON_ISO = {
    "ROM": ("ROU", "country"),
    "TMP": ("TLS", "country"),
    "MTN": ("MNE", "country"),
    "IMY": ("IMN", "country"),
    "WSB": ("PSE", "territory"),
    "GZS": ("PSE", "territory"),
    "BAG": ("IRQ", "city"),
    "ANT": ("", "withdrawn"),
}
REGIONS = (
    "AFR ASA BLK CAS CAU CEU CFR CRB EAF EEU EIN EUR LAM MDT MEA NAF NMR PGS SAF SAM SAS SCN SEA WAF WST"
).split()

# Names used by data sets that differ from ISO's names (facts about spelling, added by hand).
ALIASES = {
    "russia": "RUS",
    "south korea": "KOR",
    "north korea": "PRK",
    "korea, republic of": "KOR",
    "korea, democratic people's republic of": "PRK",
    "iran": "IRN",
    "syria": "SYR",
    "vietnam": "VNM",
    "laos": "LAO",
    "taiwan": "TWN",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "tanzania": "TZA",
    "moldova": "MDA",
    "macedonia": "MKD",
    "north macedonia": "MKD",
    "czech republic": "CZE",
    "czechia": "CZE",
    "ivory coast": "CIV",
    "cote d'ivoire": "CIV",
    "côte d'ivoire": "CIV",
    "congo, democratic republic of": "COD",
    "congo, the democratic republic of the": "COD",
    "democratic republic of congo": "COD",
    "democratic republic of the congo": "COD",
    "congo": "COG",
    "republic of congo": "COG",
    "congo, republic of": "COG",
    "occupied palestinian territory": "PSE",
    "palestine": "PSE",
    "palestinian territory, occupied": "PSE",
    "swaziland": "SWZ",
    "eswatini": "SWZ",
    "turkey": "TUR",
    "türkiye": "TUR",
    "burma": "MMR",
    "myanmar": "MMR",
    "east timor": "TLS",
    "timor-leste": "TLS",
    "cape verde": "CPV",
    "brunei": "BRN",
    "vatican city": "VAT",
    "holy see": "VAT",
    "micronesia": "FSM",
    "united states": "USA",
    "united states of america": "USA",
    "united kingdom": "GBR",
    "great britain": "GBR",
    "kosovo": "XKX",
    "serbia and montenegro": "SCG",
}

# COW state list (abbreviation, number, name) for states with an ISO successor, as published by the
# Correlates of War Project (State System Membership list); the ISO code is our reading of the name.
COW = """USA 2 USA|CAN 20 CAN|BHM 31 BHS|CUB 40 CUB|HAI 41 HTI|DOM 42 DOM|JAM 51 JAM|TRI 52 TTO|BAR 53 BRB|
DMA 54 DMA|GRN 55 GRD|SLU 56 LCA|SVG 57 VCT|AAB 58 ATG|SKN 60 KNA|MEX 70 MEX|BLZ 80 BLZ|GUA 90 GTM|
HON 91 HND|SAL 92 SLV|NIC 93 NIC|COS 94 CRI|PAN 95 PAN|COL 100 COL|VEN 101 VEN|GUY 110 GUY|SUR 115 SUR|
ECU 130 ECU|PER 135 PER|BRA 140 BRA|BOL 145 BOL|PAR 150 PRY|CHL 155 CHL|ARG 160 ARG|URU 165 URY|
UKG 200 GBR|IRE 205 IRL|NTH 210 NLD|BEL 211 BEL|LUX 212 LUX|FRN 220 FRA|MNC 221 MCO|LIE 223 LIE|
SWZ 225 CHE|SPN 230 ESP|AND 232 AND|POR 235 PRT|GMY 255 DEU|GFR 260 DEU|POL 290 POL|AUS 305 AUT|
HUN 310 HUN|CZR 316 CZE|SLO 317 SVK|ITA 325 ITA|SNM 331 SMR|MLT 338 MLT|ALB 339 ALB|MNG 341 MNE|
MAC 343 MKD|CRO 344 HRV|BOS 346 BIH|KOS 347 XKX|SLV 349 SVN|GRC 350 GRC|CYP 352 CYP|BUL 355 BGR|
MLD 359 MDA|ROM 360 ROU|RUS 365 RUS|EST 366 EST|LAT 367 LVA|LIT 368 LTU|UKR 369 UKR|BLR 370 BLR|
ARM 371 ARM|GRG 372 GEO|AZE 373 AZE|FIN 375 FIN|SWD 380 SWE|NOR 385 NOR|DEN 390 DNK|ICE 395 ISL|
CAP 402 CPV|STP 403 STP|GNB 404 GNB|EQG 411 GNQ|GAM 420 GMB|MLI 432 MLI|SEN 433 SEN|BEN 434 BEN|
MAA 435 MRT|NIR 436 NER|CDI 437 CIV|GUI 438 GIN|BFO 439 BFA|LBR 450 LBR|SIE 451 SLE|GHA 452 GHA|
TOG 461 TGO|CAO 471 CMR|NIG 475 NGA|GAB 481 GAB|CEN 482 CAF|CHA 483 TCD|CON 484 COG|DRC 490 COD|
UGA 500 UGA|KEN 501 KEN|TAZ 510 TZA|BUI 516 BDI|RWA 517 RWA|SOM 520 SOM|DJI 522 DJI|ETH 530 ETH|
ERI 531 ERI|ANG 540 AGO|MZM 541 MOZ|ZAM 551 ZMB|ZIM 552 ZWE|MAW 553 MWI|SAF 560 ZAF|NAM 565 NAM|
LES 570 LSO|BOT 571 BWA|SWA 572 SWZ|MAG 580 MDG|COM 581 COM|MAS 590 MUS|SEY 591 SYC|MOR 600 MAR|
ALG 615 DZA|TUN 616 TUN|LIB 620 LBY|SUD 625 SDN|SSD 626 SSD|IRN 630 IRN|TUR 640 TUR|IRQ 645 IRQ|
EGY 651 EGY|SYR 652 SYR|LEB 660 LBN|JOR 663 JOR|ISR 666 ISR|SAU 670 SAU|YEM 679 YEM|KUW 690 KWT|
BAH 692 BHR|QAT 694 QAT|UAE 696 ARE|OMA 698 OMN|AFG 700 AFG|TKM 701 TKM|TAJ 702 TJK|KYR 703 KGZ|
UZB 704 UZB|KZK 705 KAZ|CHN 710 CHN|MON 712 MNG|TAW 713 TWN|PRK 731 PRK|ROK 732 KOR|JPN 740 JPN|
IND 750 IND|BHU 760 BTN|PAK 770 PAK|BNG 771 BGD|MYA 775 MMR|SRI 780 LKA|MAD 781 MDV|NEP 790 NPL|
THI 800 THA|CAM 811 KHM|LAO 812 LAO|DRV 816 VNM|MAL 820 MYS|SIN 830 SGP|BRU 835 BRN|PHI 840 PHL|
INS 850 IDN|ETM 860 TLS|AUL 900 AUS|PNG 910 PNG|NEW 920 NZL|VAN 935 VUT|SOL 940 SLB|KIR 946 KIR|
TUV 947 TUV|FIJ 950 FJI|TON 955 TON|NAU 970 NRU|MSI 983 MHL|PAL 986 PLW|FSM 987 FSM|WSM 990 WSM"""


def main() -> None:
    iso = {c.alpha_3: c for c in pycountry.countries}
    extra_iso = {"XKX": "Kosovo", "SCG": "Serbia and Montenegro"}  # user-assigned / withdrawn, used in data
    with (OUT / "iso3166.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["iso3", "name"])
        for code in sorted(iso):
            w.writerow([code, iso[code].name])
        for code, name in sorted(extra_iso.items()):
            w.writerow([code, name])
    cameo = list(csv.reader((OUT / "cameo_countries.tsv").open(encoding="utf-8"), delimiter="\t"))[1:]
    with (OUT / "cameo_iso3.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["cameo", "iso3", "kind"])
        for code, _label in cameo:
            if code in CAMEO_NON_ISO:
                w.writerow([code, *CAMEO_NON_ISO[code]])
            elif code in REGIONS:
                w.writerow([code, "", "region"])
            elif code in iso:
                w.writerow([code, code, "country"])
            else:
                raise SystemExit(f"CAMEO code {code} is neither ISO nor listed")
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                names.setdefault(v.lower(), c.alpha_3)
    for code, label in cameo:
        target = CAMEO_NON_ISO.get(code, (code if code in iso else "", ""))[0]
        if target and code not in ("BAG", "WSB", "GZS"):
            names.setdefault(label.lower(), target)
    names.update(ALIASES)
    with (OUT / "country_names.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["name", "iso3"])
        for k in sorted(names):
            w.writerow([k, names[k]])
    with (OUT / "cow_iso3.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["cow_abb", "cow_code", "iso3"])
        for item in COW.replace("\n", "").split("|"):
            abb, num, code = item.split()
            if code not in iso and code not in extra_iso:
                raise SystemExit(f"COW {abb}: {code} is not an ISO code")
            w.writerow([abb, num, code])


if __name__ == "__main__":
    main()
