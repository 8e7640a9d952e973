# %% [markdown]
# # detente from Python
#
# A walk through the Python API, cell by cell (`# %%` cells: open it in Jupyter with
# jupytext, in VS Code or in Spyder, or run it whole with `python examples/notebook.py`).
# It works on a new store in a temporary folder, which holds the curated chronology that
# `detente` ships: no download, no other data needed. Reference: `docs/api.md`.

# %%
import tempfile
from pathlib import Path

import detente

# the folder of this file (a notebook has no __file__: then run it from the project folder)
HERE = Path(globals().get("__file__", "examples/notebook.py")).resolve().parent
work = Path(tempfile.mkdtemp(prefix="detente-notebook-"))

# A store is opened for a task and closed after it: DuckDB lets one process write to the
# file, or many read it, never both. A new store starts with the curated chronology in it.
st = detente.open_store(work / "x.duckdb")
print(st.summary().to_pandas())

# %% [markdown]
# ## Yearly indicators for USA-RUS
#
# One row per dataset, direction and year: counts per quad class, Goldstein means, net
# cooperation, the material-conflict share and the relationship index, each against a
# rolling baseline. The result is a pandas DataFrame (`output="arrow"` gives a pyarrow
# Table).

# %%
yearly = detente.indicators(st, dyad="USA-RUS", period="year", split=True)
print(f"as of {yearly.attrs['as_of']}: {len(yearly)} rows")
print(yearly[["direction", "period_start", "events", "relationship_index", "net_cooperation",
              "material_conflict_share"]].tail(8).to_string(index=False))

# %%
# `source`/`target` are the command line's --from/--to: one direction only
rus_ukr = detente.indicators(st, source="RUS", target="UKR", period="year", since="2012")
print(rus_ukr[["direction", "period_start", "events", "q4", "relationship_index"]].to_string(index=False))

# %% [markdown]
# ## Trends: change points and alerts

# %%
for report in detente.trends(st, dyad="USA-RUS", period="year"):
    print(f"{report.dataset}: {report.periods} years as of {report.as_of}")
    for cp in report.change_points:
        print(f"  change point {cp.period_start}: {cp.before:+.2f} -> {cp.after:+.2f}")
    for alert in report.alerts:
        print(f"  {alert.kind.replace('_', ' ')} alert {alert.start}..{alert.end}")
    if report.score:
        print(f"  against the chronology's crises: {report.score.hits} hits, {report.score.misses} misses")

# %% [markdown]
# ## The playbook: which agenda items' conditions hold

# %%
status = detente.playbook_check(st, as_of="2021-12-31")
print(f"{status.playbook} as of {status.as_of} ({status.dataset}): {status.counts}")
for item in status.items:
    print(f"  [{item.basket}] {item.title}: {item.status.replace('_', ' ')}")

# %% [markdown]
# ## Assess a proposal

# %%
proposal = HERE / "proposals" / "mil_to_mil_deconfliction.yaml"
result = detente.assess(st, proposal)
print(f"{result.proposal}: {result.verdict.replace('_', ' ')}")
for reason in result.reasons:
    print(f"  - {reason}")

# %% [markdown]
# ## The brief
#
# `brief` returns the `Brief` model; `output="html"`, `"markdown"` or `"json"` returns its
# text. The HTML page opens offline in any browser.

# %%
page = detente.brief(st, output="html")
out = work / "brief.html"
out.write_text(page, encoding="utf-8")
print(f"wrote {out} ({len(page):,} characters)")

# %%
st.close()
