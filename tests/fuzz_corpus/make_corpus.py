"""Write the fuzz corpus: small, well-formed files of every input format, the hostile
cases found by probing (each named after what it does), and condition texts.

Run from the repository's root (``python tests/fuzz_corpus/make_corpus.py``); the files
are committed, so the fuzz tests do not depend on this script's output changing.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from conftest import gdelt1_line, gdelt2_line, icews_header, icews_line  # noqa: E402
from test_hardening_policy import CONDITIONS, YAML_CASES, _nested_block  # noqa: E402
from test_readers_plover import POLECAT_COLUMNS, polecat_row  # noqa: E402


def _lines(lines: list[str], nl: str = "\n") -> bytes:
    return (nl.join(lines) + nl).encode()


def readers() -> dict[str, bytes]:
    gdelt2 = _lines([gdelt2_line(event_id=n) for n in range(1, 4)]
                    + [gdelt2_line(event_id=9, code="999")])
    icews = [icews_header()] + [icews_line(event_id=n) for n in range(1, 4)]
    polecat = ["\t".join(POLECAT_COLUMNS)] + [
        polecat_row(Event_ID=f"2023010{n}-A_ACCUSE_1", Event_Date=f"2023-01-0{n}", Event_Type="ACCUSE",
                    Actor_Name="United States", Actor_Country="USA", Primary_Actor_Sector="GOV",
                    Recipient_Name="Russia", Recipient_Country="RUS") for n in range(1, 3)]
    plover = [{"id": "p1", "date": "2022-03-01", "event": "ACCUSE", "source": {"code": "USA"},
               "target": {"code": "RUS", "sector": "GOV"}, "quad_code": 3},
              {"id": "p2", "date": "2022-03-02", "event": ["CONSULT"], "source": "RUS", "target": "USA"}]
    canonical = ("event_id,date,source_actor,target_actor,event_code,issue_areas,text\n"
                 "c:1,2020-01-01,USAGOV,RUSGOV,042,diplomacy,\"a, quoted\"\"text\"\n"
                 "c:2,2020-01-02,RUSMIL,USA,190,,\n")
    chron = ("id,date,source_actor,target_actor,event_code,issue_areas,description,citation_issuer,"
             "citation_title,citation_date,citation_url\n"
             "2017-01-28-call,2017-01-28,USAGOV,RUSGOV,040,diplomacy,A first call.,The White House,"
             "Readout,2017-01-28,\n")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("20230101.export.CSV", gdelt2)
    return {
        "gdelt2.export.CSV": gdelt2,
        "gdelt1.CSV": _lines([gdelt1_line(event_id=n) for n in range(1, 4)]),
        "icews.tab": _lines(icews),
        "polecat.tsv": _lines(polecat),
        "plover.jsonl": _lines([json.dumps(r) for r in plover]),
        "plover_array.json": json.dumps(plover, indent=1).encode(),
        "canonical.csv": canonical.encode(),
        "canonical.jsonl": _lines([json.dumps({"event_id": "j:1", "date": "2021-05-05",
                                               "event_code": "042", "issue_areas": ["diplomacy"]})]),
        "chronology.csv": chron.encode(),
        "gdelt2.export.CSV.gz": gzip.compress(gdelt2, mtime=0),
        "gdelt2.export.CSV.zip": zipped.getvalue(),
        # what probing found
        "repro_icews_cr_only.tab": _lines(icews, "\r"),
        "repro_polecat_cr_only.tsv": _lines(polecat, "\r"),
        "repro_canonical_blank_crlf_first.csv": b"\r\n" + canonical.encode(),
        "repro_canonical_mixed_endings.csv": canonical.replace("\n", "\r\n", 1).encode(),
        "repro_polecat_bom_line.tsv": codecs.BOM_UTF8 + b"\n" + _lines(polecat),
        "repro_polecat_blank_first.tsv": b"\n" + _lines(polecat),
        "repro_deep_json.jsonl": _lines(["[" * 3000 + "]" * 3000, json.dumps(plover[0])]),
        "repro_deep_object.jsonl": _lines([json.dumps(plover[0]), '{"a":' * 3000 + "1" + "}" * 3000]),
        "repro_lone_cr_in_field.CSV": gdelt2.replace(b"http", b"\rhttp", 1),
        "repro_gzip_damaged_deflate.CSV.gz": _damage(gzip.compress(gdelt2 * 40, mtime=0)),
        "repro_zip_damaged_deflate.zip": _damage(zipped.getvalue()),
        "repro_name_[1]_pattern.export.CSV": gdelt2,
    }


def _damage(data: bytes) -> bytes:
    mid = len(data) // 2
    return data[:mid] + bytes(b ^ 0x5A for b in data[mid:mid + 24]) + data[mid + 24:]


def main() -> None:
    for sub, files in (("readers", readers()),
                       ("policy", {f"{k.replace(',', '').replace(' ', '_')}.yaml": v[0].encode()
                                   for k, v in YAML_CASES.items() if k != "500-deep mapping"}
                        | {"100-deep_mapping.yaml": _nested_block(100).encode()})):
        folder = HERE / sub
        folder.mkdir(exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    playbook = (HERE.parents[1] / "src/detente/data/playbook/default.yaml").read_text("utf-8")
    conditions = [line.split("when:", 1)[1].strip() for line in playbook.splitlines()
                  if "when:" in line and line.split("when:", 1)[1].strip() not in ("", ">-")]
    conditions += [text for text, _ in CONDITIONS.values() if len(text) < 20_000]
    (HERE / "conditions.json").write_text(json.dumps(conditions, indent=0) + "\n", "utf-8")


if __name__ == "__main__":
    main()
