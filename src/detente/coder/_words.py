"""The words that change what a verb means, and the codes they turn it into.

Negators and hedges drop an event ("did not meet", "may strike"); a future
("will sign") keeps only the acts that are done by announcing them; a control
verb turns the verb it governs into an intent, a threat, a rejection, an appeal
or a demand (``control_code``). Clause words bound where a source or target is
looked for; joining words make joint actors ("Russia and China").
"""

from __future__ import annotations

__all__ = ["BE", "CLAUSE", "FUTURE", "HEDGES", "JOIN", "NEGATORS", "control_code"]

NEGATORS = frozenset(
    {
        "not",
        "n't",
        "never",
        "no",
        "nor",
        "neither",
        "without",
        "didn't",
        "don't",
        "doesn't",
        "won't",
        "wouldn't",
        "hasn't",
        "haven't",
        "hadn't",
        "wasn't",
        "weren't",
        "isn't",
        "aren't",
        "cannot",
        "can't",
        "couldn't",
        "failed",
    }
)
HEDGES = frozenset(
    {
        "may",
        "might",
        "could",
        "should",
        "can",
        "must",
        "if",
        "unless",
        "whether",
        "possibly",
        "perhaps",
    }
)
FUTURE = frozenset({"will", "would", "shall", "'ll"})
BE = frozenset({"was", "were", "is", "are", "been", "being", "be", "got", "get", "gets"})
CLAUSE = frozenset(
    {
        ";",
        ":",
        "after",
        "before",
        "because",
        "while",
        "but",
        "which",
        "who",
        "whom",
        "when",
        "although",
        "though",
        "whereas",
        "since",
        "as",
        "where",
        "until",
        "amid",
    }
)
JOIN = frozenset({"and", ",", "&", "together", "with"})

# a control verb turns the root of the verb it governs into a code of its own
_INTENT = {"03": "030", "04": "036", "05": "032", "06": "031", "07": "033", "08": "035", "09": "030"}
_THREAT = {
    "15": "138",
    "16": "131",
    "17": "130",
    "18": "138",
    "19": "1384",
    "20": "1385",
    "12": "130",
    "10": "130",
    "11": "130",
    "13": "130",
    "14": "133",
}
_REFUSE = {"03": "120", "04": "125", "05": "120", "06": "121", "07": "122", "08": "124", "09": "120"}
_APPEAL = {"03": "020", "04": "026", "05": "022", "06": "021", "07": "023", "08": "025", "09": "020"}
_DEMAND = {
    "03": "100",
    "04": "106",
    "05": "102",
    "06": "101",
    "07": "103",
    "08": "105",
    "09": "100",
    "16": "100",
    "17": "100",
    "15": "100",
}
_SPECIFIC = {
    ("threat", "163"): "1312",
    ("threat", "161"): "1313",
    ("threat", "160"): "1313",
    ("threat", "164"): "134",
    ("threat", "1622"): "1311",
    ("threat", "162"): "1311",
    ("threat", "191"): "1381",
    ("threat", "192"): "1382",
    ("threat", "2041"): "1385",
    ("intent", "0841"): "0353",
    ("intent", "085"): "0354",
    ("intent", "0874"): "0356",
    ("intent", "087"): "0356",
    ("intent", "0871"): "0356",
    ("intent", "072"): "0332",
    ("intent", "071"): "0331",
    ("intent", "073"): "0333",
    ("intent", "062"): "0312",
    ("intent", "061"): "0311",
    ("intent", "045"): "039",
    ("agree", "057"): "057",
    ("agree", "0871"): "0871",
    ("refuse", "0874"): "1246",
    ("refuse", "087"): "1246",
    ("refuse", "085"): "1244",
    ("refuse", "0841"): "1243",
    ("refuse", "072"): "1222",
    ("refuse", "071"): "1221",
    ("refuse", "057"): "127",
    ("appeal", "0874"): "0256",
    ("appeal", "087"): "0256",
    ("appeal", "0871"): "0256",
    ("appeal", "0841"): "0253",
    ("appeal", "0842"): "0253",
    ("appeal", "085"): "0254",
    ("appeal", "072"): "0232",
    ("appeal", "071"): "0231",
    ("appeal", "073"): "0233",
    ("demand", "0874"): "1056",
    ("demand", "087"): "1056",
    ("demand", "0841"): "1053",
    ("demand", "085"): "1054",
    ("demand", "0831"): "1041",
}
# what a future ("will", "would") does to a cooperative act: it is announced, not done
_FUTURE_KEEPS = frozenset(
    {"16", "17", "13", "10", "12", "11", "14", "15", "18", "19", "20", "01", "02", "03"}
)


def control_code(kind: str, code: str) -> str | None:
    """Return the code for ``code`` governed by a control verb of ``kind``."""
    specific = _SPECIFIC.get((kind, code))
    if specific is not None:
        return specific
    root = code[:2]
    if kind in ("intent", "agree"):
        specific = _SPECIFIC.get(("intent", code))
        if specific is not None:
            return specific
        return _INTENT.get(root, code if root in _FUTURE_KEEPS else None)
    if kind == "threat":
        return _THREAT.get(root, "130")
    if kind == "refuse":
        return _REFUSE.get(root)
    if kind == "appeal":
        return _APPEAL.get(root, "020")
    if kind == "demand":
        return _DEMAND.get(root, "100")
    if kind == "deny":
        return None
    return code
