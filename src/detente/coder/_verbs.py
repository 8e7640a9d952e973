"""English verb forms: the base, -s, past, participle and -ing forms of a verb.

Patterns name a verb by its base form; :func:`verb_forms` gives every form a
sentence may use, and records which are participles (passive voice) and which
are bare forms that may also be nouns ("attack", "strikes").
"""

from __future__ import annotations

import re

__all__ = ["BARE_FORMS", "PARTICIPLES", "VERB_FORMS", "verb_forms"]

_IRREGULAR = {
    "be": ("is", "was", "been", "being", "are", "were", "am"),
    "meet": ("met", "met"),
    "hold": ("held", "held"),
    "send": ("sent", "sent"),
    "shoot": ("shot", "shot"),
    "strike": ("struck", "struck"),
    "fight": ("fought", "fought"),
    "give": ("gave", "given"),
    "take": ("took", "taken"),
    "withdraw": ("withdrew", "withdrawn"),
    "leave": ("left", "left"),
    "make": ("made", "made"),
    "tell": ("told", "told"),
    "say": ("said", "said"),
    "speak": ("spoke", "spoken"),
    "break": ("broke", "broken"),
    "hit": ("hit", "hit"),
    "sell": ("sold", "sold"),
    "buy": ("bought", "bought"),
    "begin": ("began", "begun"),
    "seek": ("sought", "sought"),
    "blow": ("blew", "blown"),
    "freeze": ("froze", "frozen"),
    "forgive": ("forgave", "forgiven"),
    "put": ("put", "put"),
    "cut": ("cut", "cut"),
    "beat": ("beat", "beaten"),
    "pay": ("paid", "paid"),
    "lend": ("lent", "lent"),
    "go": ("went", "gone"),
    "fly": ("flew", "flown"),
    "find": ("found", "found"),
    "write": ("wrote", "written"),
    "have": ("had", "had"),
    "do": ("did", "done"),
    "swear": ("swore", "sworn"),
    "quit": ("quit", "quit"),
    "shut": ("shut", "shut"),
    "upset": ("upset", "upset"),
    "bring": ("brought", "brought"),
    "teach": ("taught", "taught"),
    "catch": ("caught", "caught"),
    "overrun": ("overran", "overrun"),
    "rebuild": ("rebuilt", "rebuilt"),
    "lay": ("laid", "laid"),
    "stand": ("stood", "stood"),
    "draw": ("drew", "drawn"),
    "sink": ("sank", "sunk"),
    "run": ("ran", "run"),
    "steal": ("stole", "stolen"),
    "undertake": ("undertook", "undertaken"),
    "test-fire": ("test-fired", "test-fired"),
    "shoot down": ("shot", "shot"),
    "broadcast": ("broadcast", "broadcast"),
    "set": ("set", "set"),
    "spread": ("spread", "spread"),
    "rise": ("rose", "risen"),
    "lead": ("led", "led"),
    "win": ("won", "won"),
    "lose": ("lost", "lost"),
    "keep": ("kept", "kept"),
    "feel": ("felt", "felt"),
    "sit": ("sat", "sat"),
}

PARTICIPLES: set[str] = set()
BARE_FORMS: set[str] = set()  # base and -s forms: "attack", "strikes" (also nouns)
VERB_FORMS: set[str] = set()


def verb_forms(verb: str) -> tuple[str, ...]:
    """Return the forms of an English verb: base, -s, past, participle, -ing.

    A verb ending consonant-vowel-consonant gets both the plain and the doubled
    past and -ing forms (``visited``, ``expelled``, ``travelled``): a form that
    English never uses costs nothing, a missing one loses events. Irregular
    verbs take their forms from a table.
    """
    v = verb.rstrip("+")
    if v == "be":
        PARTICIPLES.add("been")
        return ("be", *_IRREGULAR["be"])
    forms = [v]
    if v.endswith(("s", "sh", "ch", "x", "z", "o")):
        forms.append(v + "es")
    elif v.endswith("y") and len(v) > 2 and v[-2] not in "aeiou":
        forms.append(v[:-1] + "ies")
    else:
        forms.append(v + "s")
    if v.endswith("e") and not v.endswith("ee"):
        past, ings = [v + "d"], [v[:-1] + "ing"]
    elif v.endswith("ee"):
        past, ings = [v + "d"], [v + "ing"]
    elif v.endswith("y") and len(v) > 2 and v[-2] not in "aeiou":
        past, ings = [v[:-1] + "ied"], [v + "ing"]
    else:
        past, ings = [v + "ed"], [v + "ing"]
        if _CVC.search(v):
            past.append(v + v[-1] + "ed")
            ings.append(v + v[-1] + "ing")
    if v in _IRREGULAR:
        past = list(_IRREGULAR[v][:2])
    PARTICIPLES.update(past)
    BARE_FORMS.update(f for f in forms if f not in PARTICIPLES)
    out = tuple(dict.fromkeys([*forms, *past, *ings]))
    VERB_FORMS.update(out)
    return out


_CVC = re.compile(r"(^|[^aeiou])[aeiou][bdgklmnprt]$")
