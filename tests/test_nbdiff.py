"""Cell-level notebook diffs: git's orientation, claim labels, and nbdime's view working offline.

The notebooks are built here, small, with outputs shaped like the findings notebooks' (a
pandas table as text/plain and text/html); no kernel runs.
"""
import json
import re
import shutil
import subprocess

import nbformat
import pytest

from supportstats.nbdiff import (claim_ids_in, copy_nbdime_static, format_notebook_diff, nbdime_view_page,
                                 notebook_changes, notebook_diff_page)

IDS = ["trends_2022.team_burnout", "trends_2022.leader_burnout", "cs_ops_2023.morale_decline"]


def table_output(rows, count=1):
    """An execute_result like a pandas DataFrame's: a text/plain table and an HTML one."""
    plain = "                   claim_id  published\n" + "".join(
        f"{i}  {cid:>24}  {value:>9}\n" for i, (cid, value) in enumerate(rows))
    body = "".join(f"    <tr>\n      <th>{i}</th>\n      <td>{cid}</td>\n      <td>{value}</td>\n    </tr>\n"
                   for i, (cid, value) in enumerate(rows))
    html = f'<table class="dataframe">\n  <tbody>\n{body}  </tbody>\n</table>'
    return nbformat.v4.new_output("execute_result", data={"text/plain": plain.rstrip("\n"), "text/html": html},
                                  execution_count=count)


def notebook(team=64.0, extra_cells=(), figure="AAAA"):
    source = ('levels = ss.level_findings(["trends_2022.team_burnout", "trends_2022.leader_burnout"])\n'
              'ss.show(levels)')
    table = nbformat.v4.new_code_cell(source, id="levels", execution_count=1)
    table.outputs = [table_output([("trends_2022.team_burnout", team), ("trends_2022.leader_burnout", 55.0)])]
    fig = nbformat.v4.new_code_cell("ss.plot_levels(levels);  # trends_2022.team_burnout", id="figure",
                                    execution_count=2)
    fig.outputs = [nbformat.v4.new_output("display_data", data={"image/png": figure, "text/plain": "<Figure>"})]
    cells = [nbformat.v4.new_markdown_cell("# 03 · Burnout", id="title"), table, fig, *extra_cells]
    return nbformat.v4.new_notebook(cells=cells)


def test_a_changed_row_is_shown_old_then_new_and_labelled_with_its_claim():
    old, new = notebook(team=64.0), notebook(team=46.0)
    changes = notebook_changes(old, new, IDS)
    assert changes.to_dict("records") == [
        {"cell": 1, "cell_type": "code", "change": "modified", "parts": "outputs",
         "claims": "trends_2022.team_burnout"}]  # leader_burnout is in the cell but its row did not change
    text = format_notebook_diff(old, new, IDS, old_label="HEAD:notebooks/03.ipynb", new_label="runs/review/03.ipynb")
    lines = text.splitlines()
    assert lines[:3] == ["--- HEAD:notebooks/03.ipynb", "+++ runs/review/03.ipynb",
                         "## cell 1 (code) modified: outputs · claims: trends_2022.team_burnout"]
    removed = [i for i, line in enumerate(lines) if line.startswith("-") and "64.0" in line]
    added = [i for i, line in enumerate(lines) if line.startswith("+") and "46.0" in line]
    assert len(removed) == 1 and len(added) == 1 and removed[0] < added[0]  # git: - committed, + fresh
    assert "trends_2022.team_burnout" in lines[removed[0]]
    # in a terminal the HTML twin of a changed text table is left out; the page shows both
    assert "text/html" not in text and "text/plain" in text
    page = notebook_diff_page(old, new, IDS, title="03_burnout", old_label="HEAD", new_label="run")
    assert '<span class="del">-      &lt;td&gt;64.0&lt;/td&gt;</span>' in page
    assert '<span class="ins">+      &lt;td&gt;46.0&lt;/td&gt;</span>' in page
    assert "claims: <span class='claims'>trends_2022.team_burnout</span>" in page


def test_a_widened_text_table_is_labelled_from_its_html_rows():
    """A longer verdict widens every line of the text table; the HTML changes one row only."""
    def nb(verdict):
        rows = [("trends_2022.team_burnout", verdict), ("trends_2022.leader_burnout", "consistent")]
        cell = nbformat.v4.new_code_cell("ss.show(levels)", id="levels")
        width = max(len(v) for _, v in rows)
        plain = "\n".join(f"{i}  {cid:>26}  {v:>{width}}" for i, (cid, v) in enumerate(rows))
        cell.outputs = [table_output(rows)]
        cell.outputs[0].data["text/plain"] = plain
        return nbformat.v4.new_notebook(cells=[cell])

    old, new = nb("consistent"), nb("not reproduced")
    assert all(a != b for a, b in zip(old.cells[0].outputs[0].data["text/plain"].splitlines(),
                                      new.cells[0].outputs[0].data["text/plain"].splitlines()))
    assert notebook_changes(old, new, IDS)["claims"].tolist() == ["trends_2022.team_burnout"]


def test_unchanged_notebook_has_no_diff():
    assert notebook_changes(notebook(), notebook(), IDS).empty
    assert format_notebook_diff(notebook(), notebook(), IDS) == ""


def test_a_changed_figure_is_labelled_with_the_claims_of_its_cell():
    changes = notebook_changes(notebook(figure="AAAA"), notebook(figure="BBBB"), IDS)
    assert changes[["cell", "parts", "claims"]].values.tolist() == [[2, "outputs", "trends_2022.team_burnout"]]


def test_added_and_removed_cells_keep_their_indices_and_claims():
    extra = nbformat.v4.new_markdown_cell("74% (cs_ops_2023.morale_decline) saw morale fall.", id="morale")
    changes = notebook_changes(notebook(), notebook(extra_cells=[extra]), IDS)
    assert changes.values.tolist() == [[3, "markdown", "added", "cell", "cs_ops_2023.morale_decline"]]
    changes = notebook_changes(notebook(extra_cells=[extra]), notebook(), IDS)
    assert changes.values.tolist() == [[3, "markdown", "removed", "cell", "cs_ops_2023.morale_decline"]]
    first = nbformat.v4.new_markdown_cell("A note.", id="note")
    old, new = notebook(team=64.0), notebook(team=46.0)
    new.cells.insert(0, first)  # indices after an insertion are the new notebook's
    assert notebook_changes(old, new, IDS)[["cell", "change"]].values.tolist() == [[0, "added"], [2, "modified"]]


def test_a_long_table_with_one_changed_row_is_a_one_row_diff():
    """nbdime alone would show a >10,000-character output removed and added whole."""
    rows = [(f"survey_2022.claim_{i:03d}", float(i)) for i in range(300)]
    changed = list(rows)
    changed[150] = ("survey_2022.claim_150", 999.0)
    old, new = nbformat.v4.new_notebook(), nbformat.v4.new_notebook()
    for nb, r in ((old, rows), (new, changed)):
        cell = nbformat.v4.new_code_cell("findings", id="all")
        cell.outputs = [table_output(r)]
        nb.cells = [cell]
    ids = [cid for cid, _ in rows]
    assert len(old.cells[0].outputs[0].data["text/html"]) > 10_000
    text = format_notebook_diff(old, new, ids)
    assert "inserted before" not in text and "deleted" not in text
    assert [line for line in text.splitlines() if line.startswith(("-", "+")) and "claim_" in line] == [
        "-150     survey_2022.claim_150      150.0", "+150     survey_2022.claim_150      999.0"]
    assert notebook_changes(old, new, ids)["claims"].tolist() == ["survey_2022.claim_150"]


def test_claim_ids_are_whole_words():
    text = "trends_2022.team_burnout_rate; xtrends_2022.leader_burnout; (trends_2022.leader_burnout)"
    assert claim_ids_in(text, IDS) == ["trends_2022.leader_burnout"]
    assert claim_ids_in("anything", []) == []


def test_nbdime_view_page_embeds_the_diff_and_loads_only_local_scripts(tmp_path):
    old, new = notebook(team=64.0), notebook(team=46.0)
    new.cells[1].outputs.append(nbformat.v4.new_output("stream", text="</script><script>alert(1)</script>\n"))
    page = nbdime_view_page(old, new, title="03_burnout", old_label="HEAD:nb", new_label="run/nb")
    scripts = re.findall(r"<script[^>]*src=['\"]([^'\"]+)['\"]", page)
    assert scripts == ["static/nbdime.js"]  # nothing from the network
    assert "alert(1)" in page and page.count("</script>") == 4  # the output cannot close a script early
    embedded = re.search(r'<script type="application/json" id="supportstats-diff">(.*?)</script>', page, re.S)
    doc = json.loads(embedded.group(1))
    assert doc["base"]["cells"][1]["outputs"][0]["data"]["text/html"].count("64.0") == 1
    assert doc["diff"][0]["key"] == "cells"
    assert "- old: HEAD:nb" in page and "+ new: run/nb" in page
    static = copy_nbdime_static(tmp_path / "static")
    assert (static / "nbdime.js").is_file() and not list(static.glob("*.map"))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs a headless chromium (apt-get install chromium)")
def test_nbdime_view_renders_from_a_file_without_a_server(tmp_path):
    old, new = notebook(team=64.0), notebook(team=46.0)
    copy_nbdime_static(tmp_path / "static")
    page = tmp_path / "03_burnout.nbdime.html"
    page.write_text(nbdime_view_page(old, new, title="03_burnout"), encoding="utf-8")
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "Failed to fetch" not in dom and "jp-Notebook-diff" in dom
    # nbdime drew the changed output two-way: the committed value (base) first, the fresh one (remote) after
    assert "jp-Diff-twoway" in dom and "jp-Diff-base" in dom and "jp-Diff-remote" in dom
    assert ">64.0<" in dom and ">46.0<" in dom
    panel = dom.index('jp-Diff-twoway jp-Diff-outputPanel"')
    base, remote = dom.index('jp-Diff-base"', panel), dom.index('jp-Diff-remote"', panel)
    assert base < dom.index(">64.0<", base) < remote < dom.index(">46.0<", remote)
    assert ">46.0<" not in dom[base:remote]
