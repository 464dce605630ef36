"""The Voilà apps in a real browser (Debian's Chromium): every app renders from the repository's
configuration, inputs update the result to what cmvlib computes, bad input shows a plain message,
URL presets apply, and no request leaves 127.0.0.1."""
from __future__ import annotations

import json
import re
import urllib.request

import nbformat
import pytest

import cmvlib
from cmvlib import examples
from cmvlib.kinetics import fit_series
from cmvlib.regimen import CaseFeatures, plan
from voilautil import APPS, APPS_DIR, CONFIG_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VISIBLE_CALC = ".cmv-calculator >> visible=true"


def open_app(app_page, voila, app: str, query: str = ""):
    page = app_page.page
    page.goto(voila.app_url(app, query))
    page.wait_for_selector(VISIBLE_CALC)
    return page


def result_of(page):
    return page.locator(VISIBLE_CALC).first.locator(".cmv-result").first


def type_into(page, label: str, text: str) -> None:
    box = page.locator(VISIBLE_CALC).first.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")


# ------------------------------------------------------------------------------------------ shape
def test_every_app_notebook_is_thin_and_saved_without_outputs():
    assert APPS, "no app notebooks in book/apps"
    for app in APPS:
        nb = nbformat.read(APPS_DIR / f"{app}.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), f"{app}: saved with outputs"
        assert sum(len(c.source.splitlines()) for c in code) <= 12, f"{app}: logic belongs in cmvlib"
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def test_config_keeps_the_classroom_settings():
    conf = json.loads((CONFIG_DIR / "voila.json").read_text())
    vc = conf["VoilaConfiguration"]
    assert vc["template"] == "cmv-offline" and vc["show_tracebacks"] is False
    assert vc["preheat_kernel"] is True and vc["default_pool_size"] >= 1
    assert set(vc["extension_allowlist"]) == {"@voila-dashboards/widgets-manager8",
                                              "@jupyter-widgets/jupyterlab-manager", "jupyterlab-plotly"}
    assert vc["allow_template_override"] == "NO"      # ?template=lab would bring the CDN back
    assert conf["MappingKernelManager"]["cull_idle_timeout"] > 0
    assert conf["VoilaExecutor"]["timeout"] > 0
    assert "root_dir" not in conf["Voila"]     # `voila book/apps` names it; a config value would override it
    assert conf["Voila"]["kernel_websocket_connection_class"] == "cmvlib.voila_server.NoDelayConnection"


def test_index_lists_each_app_with_one_line(voila):
    with urllib.request.urlopen(voila.url, timeout=10) as r:
        html = r.read().decode()
    items = re.findall(r'<li><a href="/voila/render/([^"]+)\.ipynb">([^<]+)</a>\s*<span class="cmv-app-line">([^<]*)'
                       r"</span>", html)
    assert sorted(i[0] for i in items) == sorted(APPS)
    for app, title, line in items:
        nb = nbformat.read(APPS_DIR / f"{app}.ipynb", as_version=4)
        assert nb.cells[0].source.splitlines()[0] == f"# {title}", app
        assert len(line) > 30, f"{app}: no one-line description in the index"
    assert "http" not in html.split("<body", 1)[1].replace("http://127.0.0.1", "")


@pytest.mark.parametrize("app", APPS)
def test_the_light_front_end_loads_plotly_only_for_a_chart(voila, app_page, app):
    """The page runs cmv-classroom.js, not Voilà's JupyterLab front end (no voila.js, no lab extension), and
    fetches plotly.js only if it draws a chart."""
    page, fetched = app_page.page, []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(voila.app_url(app))
    page.wait_for_selector("body[data-cmv-classroom=ready]")
    code = "\n".join(c.source for c in nbformat.read(APPS_DIR / f"{app}.ipynb", as_version=4).cells)
    if "figure_box" in code:          # (the virtual patient draws its chart only at the debrief)
        page.wait_for_selector(".js-plotly-plot .main-svg")
    else:
        page.wait_for_timeout(1000)
        assert page.locator(".js-plotly-plot").count() == 0, app
    names = [u.split("?")[0].rsplit("/", 1)[-1] for u in fetched]
    assert "cmv-classroom.js" in names and "voila.js" not in names
    assert not [u for u in fetched if "/labextensions/" in u], app
    assert ("plotly.min.js" in names) == bool(page.locator(".js-plotly-plot").count()), app


# ---------------------------------------------------------------------------------------- render
@pytest.mark.parametrize("app", APPS)
def test_app_renders_offline_without_errors(voila, app_page, app):
    page = app_page.page
    page.goto(voila.app_url(app))
    page.wait_for_selector("#rendered_cells .cmv-calculator:visible, #rendered_cells .js-plotly-plot .main-svg")
    text = page.locator("#rendered_cells").inner_text()
    assert "For education, not for patient care" in text
    assert not re.search(r"Traceback|Execution error|Error at server|There was an error|Timeout error", text)
    assert page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    if page.locator(VISIBLE_CALC).count():
        assert "No result" not in result_of(page).inner_text()
    page.wait_for_timeout(500)
    assert app_page.outside == [], f"requests left the machine: {app_page.outside}"


def test_viral_load_chart_is_drawn_and_follows_the_results(voila, app_page):
    page = open_app(app_page, voila, "viral_load_simulator")
    page.wait_for_selector(".js-plotly-plot .main-svg")
    box = page.locator(VISIBLE_CALC).first.locator("textarea")
    box.fill("0, 30000\n5, 3000\n9, 900")
    box.blur()
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].some("
                           "p => (p.data || []).some(t => JSON.stringify(t.y || []).includes('30000')))")
    assert app_page.outside == []


def test_course_view_shows_the_dose_change(voila, app_page):
    from cmvlib import examples as ex
    from cmvlib.course import PhasePlan, RenalChange, plan_course

    course = plan_course(ex.patient("declining-renal"), [PhasePlan("ganciclovir", "induction", 14),
                                                          PhasePlan("valganciclovir", "maintenance", 14)],
                         renal_changes=[RenalChange(10, {"serum_creatinine_mg_dl": 2.1})], vl0_iu_ml=50_000,
                         half_life_days=1.0)
    page = app_page.page
    page.goto(voila.app_url("course_view"))
    page.wait_for_selector("#rendered_cells .js-plotly-plot .main-svg")
    text = page.locator("#rendered_cells").inner_text()
    assert course.changes[0].after.split(": ", 1)[1] in text


# ---------------------------------------------------------------------------------------- inputs
def test_course_view_recomputes_when_the_creatinine_change_moves(voila, app_page):
    from cmvlib import examples as ex
    from cmvlib.course import PhasePlan, RenalChange, plan_course

    course = plan_course(ex.patient("declining-renal"), [PhasePlan("ganciclovir", "induction", 14),
                                                          PhasePlan("valganciclovir", "maintenance", 14)],
                         renal_changes=[RenalChange(4, {"serum_creatinine_mg_dl": 3.0})])
    change = course.changes[0]
    assert change.day == 4
    page = open_app(app_page, voila, "course_view")
    type_into(page, "Creatinine changes on day, optional", "4")
    type_into(page, "New serum creatinine, optional (mg/dL)", "3")
    result_of(page).filter(has_text=f"Day 4: {change.after}").wait_for()
    type_into(page, "Creatinine changes on day, optional", "99")
    result_of(page).filter(has_text="No result").wait_for()
    assert "days 0 to 27" in page.locator(VISIBLE_CALC).first.locator(".cmv-error").first.inner_text()
    assert app_page.outside == []


def test_toxicity_chart_follows_the_drug_chosen(voila, app_page):
    page = open_app(app_page, voila, "toxicity_monitoring")
    page.wait_for_selector(".js-plotly-plot .main-svg")
    page.locator(VISIBLE_CALC).first.get_by_label("Drug", exact=True).select_option("cidofovir")
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].some("
                           "p => JSON.stringify((p.layout || {}).title || '').includes('cidofovir'))")
    page.locator("table", has_text="Toxicity timeline of cidofovir").first.wait_for()
    assert app_page.outside == []


def test_dose_follows_the_weight_typed(voila, app_page):
    page = open_app(app_page, voila, "dosing_workbench")
    expected = cmvlib.dose("ganciclovir", "induction", examples.patient("issue-example", weight_kg=83)).summary
    assert expected not in result_of(page).inner_text()
    type_into(page, "Weight (kg)", "83")
    page.wait_for_function("t => document.querySelector('.cmv-result').innerText.includes(t)", arg=expected)


def test_foscarnet_tab_computes_the_label_dose(voila, app_page):
    page = open_app(app_page, voila, "dosing_workbench")
    page.get_by_role("tab", name="Foscarnet").click()
    type_into(page, "Weight (kg)", "64")
    p = examples.patient("foscarnet-teaching", weight_kg=64)
    expected = cmvlib.dose("foscarnet", "induction", p, regimen="60q8h").summary
    calc = page.locator(VISIBLE_CALC).first
    calc.locator(".cmv-result", has_text=expected).wait_for()


def test_maribavir_tab_follows_the_boxes_ticked(voila, app_page):
    page = open_app(app_page, voila, "dosing_workbench", "tab=maribavir&co_medications=tacrolimus")
    calc = page.locator(VISIBLE_CALC).first
    base = cmvlib.dose("maribavir", "treatment", examples.patient("issue-example"), co_medications=["tacrolimus"])
    calc.locator(".cmv-result", has_text=base.summary).wait_for()
    calc.locator(".cmv-result", has_text="tacrolimus").wait_for()
    calc.get_by_label("phenytoin", exact=True).press("Space")      # keyboard, as a projector demo would
    with_phenytoin = cmvlib.dose("maribavir", "treatment", examples.patient("issue-example"),
                                 co_medications=["phenytoin", "tacrolimus"])
    assert with_phenytoin.summary != base.summary
    calc.locator(".cmv-result", has_text=with_phenytoin.summary).wait_for()
    assert app_page.outside == []


def test_viral_load_fit_follows_the_results_typed(voila, app_page):
    page = open_app(app_page, voila, "viral_load_simulator")
    points = [(0, 40000), (4, 5000), (8, 700)]
    half_life = fit_series(points, lloq=137).half_life_days
    box = page.locator(VISIBLE_CALC).first.locator("textarea")
    box.fill("\n".join(f"{d}, {v}" for d, v in points))
    box.blur()
    result_of(page).get_by_text(f"{half_life:.2f} days").wait_for()


def test_regimen_follows_the_case(voila, app_page):
    page = open_app(app_page, voila, "regimen_selector")
    page.locator(VISIBLE_CALC).first.get_by_text("Gut absorption adequate").click()
    best = plan(CaseFeatures(severe=True, gi_absorption_ok=False, high_viral_load=False)).options[0].title
    result_of(page).locator("tbody tr").first.filter(has_text=best).wait_for()


# ----------------------------------------------------------------------------------------- errors
def test_bad_input_shows_a_plain_message_next_to_the_field(voila, app_page):
    page = open_app(app_page, voila, "dosing_workbench")
    type_into(page, "Weight (kg)", "abc")
    calc = page.locator(VISIBLE_CALC).first
    calc.locator(".cmv-error", has_text="Weight").first.wait_for()
    # the message and the result are two widgets updated by one kernel message each: wait for the second
    result_of(page).get_by_text("No result").wait_for()
    assert "mg IV" not in result_of(page).inner_text()
    text = page.locator("#rendered_cells").inner_text()
    assert "Traceback" not in text and "InputError" not in text
    type_into(page, "Weight (kg)", "-5")
    calc.locator(".cmv-error", has_text="Weight").first.wait_for()
    type_into(page, "Weight (kg)", "70")
    page.wait_for_function("() => !document.querySelector('.cmv-result').innerText.includes('No result')")


# ---------------------------------------------------------------------------------------- presets
def test_scenario_preset_loads_the_case(voila, app_page):
    page = open_app(app_page, voila, "dosing_workbench", "scenario=hemodialysis")
    expected = cmvlib.dose("ganciclovir", "induction", examples.patient("hemodialysis")).summary
    page.wait_for_function("t => document.querySelector('.cmv-result').innerText.includes(t)", arg=expected)
    assert page.locator(VISIBLE_CALC).first.get_by_label("Age (years)", exact=True).input_value() == "58"


def test_preset_with_weight_basis_and_tab(voila, app_page):
    page = open_app(app_page, voila, "dosing_workbench", "tab=foscarnet&scenario=obese&weight_basis=adjusted")
    calc = page.locator(VISIBLE_CALC).first
    calc.get_by_text("Foscarnet dose and hydration").wait_for()
    expected = cmvlib.dose("foscarnet", "induction", examples.patient("obese"), weight_basis="adjusted",
                           regimen="60q8h").summary
    calc.locator(".cmv-result", has_text=expected).wait_for()


def test_explicit_values_preset(voila, app_page):
    page = open_app(app_page, voila, "dosing_workbench",
                    "age_years=68&sex=male&weight_kg=70&serum_creatinine_mg_dl=1.0")
    expected = cmvlib.dose("ganciclovir", "induction", examples.patient("band-edge-70")).summary
    page.wait_for_function("t => document.querySelector('.cmv-result').innerText.includes(t)", arg=expected)


@pytest.mark.parametrize("query, shown", [
    ("scenario=nowhere", "unknown example"),
    ("weight_kg=abc", "Weight"),
    ("weight_kg=1&weight_kg=2", "given twice"),
    ("tab=ganciclovir&dose_mg=9000", "dose_mg"),
])
def test_bad_preset_shows_a_message_never_a_traceback(voila, app_page, query, shown):
    page = open_app(app_page, voila, "dosing_workbench", query)
    page.locator(VISIBLE_CALC).first.get_by_text(shown, exact=False).first.wait_for()
    assert "Traceback" not in page.locator("#rendered_cells").inner_text()


def test_regimen_preset(voila, app_page):
    page = open_app(app_page, voila, "regimen_selector", "resistance=ul97&transplant=sot")
    best = plan(CaseFeatures(severe=True, gi_absorption_ok=True, high_viral_load=False, resistance="ul97",
                             transplant="sot")).options[0].title
    result_of(page).locator("tbody tr").first.filter(has_text=best).wait_for()


def _documented_presets() -> list[tuple[str, str]]:
    readme = (APPS_DIR.parents[1] / "README.md").read_text()
    section = readme.split("**Instructor presets**", 1)[1].split("\n\n", 2)[1]
    return re.findall(r"^\| `(\w+)\.ipynb\?([^`]+)` \|", section, flags=re.M)


def test_readme_lists_presets_for_several_apps():
    apps = {app for app, _ in _documented_presets()}
    assert len(_documented_presets()) >= 6 and {"dosing_workbench", "viral_load_simulator"} <= apps


@pytest.mark.parametrize("app, query", _documented_presets())
def test_documented_preset_applies_cleanly(voila, app_page, app, query):
    page = open_app(app_page, voila, app, query)
    calc = page.locator(VISIBLE_CALC).first
    result_of(page).wait_for()
    page.wait_for_timeout(1500)   # the preset arrives through the kernel just after the page
    text = calc.inner_text()
    assert "No result" not in text and "Ignored unknown" not in text, text[:800]
    assert calc.locator(".cmv-error").count() == 0, calc.locator(".cmv-error").all_inner_texts()
    assert app_page.outside == []
