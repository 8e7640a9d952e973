"""What the data and the models can and cannot show, said plainly."""

from __future__ import annotations

from detente.report.model import Caveat, Chart, PlaybookSection

__all__ = ["caveats_for"]

_DATASETS = {
    "curated": (
        "The curated chronology is a selection: milestones chosen by hand and cited to public "
        "documents. It shows what happened, not how often; its counts measure the editors' "
        "choice, and a quiet year in it is not a quiet year in the relationship."
    ),
    "gdelt1": (
        "GDELT counts what news media reported, coded by machine. Media attention is not "
        "behaviour: a story reported a thousand times weighs more than a quiet agreement, and "
        "coding errors (wrong actor, wrong direction) are common on single reports."
    ),
    "gdelt2": (
        "GDELT 2.0 begins in February 2015; it counts what news media reported, coded by "
        "machine. Media attention is not behaviour, and a jump at a coverage edge is a change "
        "in the sources, not in the relationship."
    ),
    "icews": (
        "ICEWS public data ends in April 2023. It is machine-coded from news, one event per "
        "sentence; media attention is not behaviour."
    ),
    "polecat": (
        "POLECAT is machine-coded from news in PLOVER; it has no Goldstein score, so its index "
        "rests on the events that could be scored."
    ),
}
_MEDIA = ("Media attention is not behaviour: machine-coded datasets count reports, and what "
          "reporters notice is not everything that happens.")


def caveats_for(datasets: list[str], playbook: PlaybookSection, charts: list[Chart]) -> list[Caveat]:
    """Return the caveats that apply to a brief on ``datasets``."""
    out = [Caveat(topic=d, text=_DATASETS.get(d, _MEDIA)) for d in datasets]
    if len(datasets) > 1:
        out.append(Caveat(topic="datasets", text=(
            "Each dataset is a separate series: a hand-picked chronology and machine-coded news "
            "counts measure different things, and the brief does not mix them.")))
    out.append(Caveat(topic="playbook", text=(
        "The default playbook encodes a policy essay of early 2017. Some of its items (INF, "
        "Open Skies, Minsk, New START) have since been overtaken by events; the evaluation says "
        "so rather than pretending they are still live.")))
    if playbook.vintage:
        out[-1] = Caveat(topic="playbook", text=f"The playbook's vintage is {playbook.vintage}. "
                         + out[-1].text.split(". ", 1)[1])
    out.append(Caveat(topic="indices", text=(
        "The relationship index is the mean Goldstein score of the period's events: a summary "
        "of tone and intensity, not a measure of interests. Periods with few events are flagged "
        "and their numbers swing widely.")))
    response = next((c for c in charts if c.name == "response"), None)
    if response is not None and response.empty_reason:
        out.append(Caveat(topic="models", text=(
            "No reciprocity model is shown for this view: " + response.empty_reason + ". A model "
            "that does not beat its baseline is left out rather than drawn.")))
    else:
        out.append(Caveat(topic="models", text=(
            "The reciprocity model is a small vector autoregression on net cooperation; its "
            "intervals are wide, and it describes the record, not what the other side will "
            "decide.")))
    return out
