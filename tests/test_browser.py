"""The term's loop in a real browser: nbgrader's exchange, JupyterLab, formgrader, feedback.

One test drives headless Chromium through what a student and an instructor do with
``week2_numpy_basics``: release with a due date, fetch in JupyterLab's Assignment List,
a wrong answer and its named mistake, the fix, Validate, submit; a second student submits
after the due date; collect, ``nndl grade``, formgrader; ``nndl feedback``, release and
fetch feedback, which shows the verdicts and no hidden test. Each step leaves a screenshot
(in ``$NNDL_SCREENSHOTS`` when set, else under pytest's tmp dir; the test prints where).
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import re
import time
from pathlib import Path

import browser
import nbformat
import pytest
from harness import make_course, notebook_name, points_of_test_cells, student_answer

pytestmark = pytest.mark.slow

ASSIGNMENT = "week2_numpy_basics"
COURSE_ID = "nndl"
STUDENTS = {"alice": ("Alice", "Liddell"), "bob": ("Bob", "Late")}
LONG = 240  # seconds: generous waits for a loaded 2-core machine

# What the student types: a first try with a named mistake, then the fix. Lines are typed
# without their indentation: JupyterLab's editor indents after the `def` line itself.
WRONG = {
    "basic_sigmoid": ("def basic_sigmoid(x):\n    s = 1 / (1 + np.exp(-x))\n    return s",
                      ["basic_sigmoid(3) returned a numpy float64; expected a Python float",
                       "Use math.exp here"]),
    "sigmoid": ("def sigmoid(x):\n    s = 1 / (1 + math.exp(-x))\n    return s",
                ["math.exp takes one number at a time: use np.exp"]),
}
RIGHT = {
    "basic_sigmoid": "def basic_sigmoid(x):\n    s = 1 / (1 + math.exp(-x))\n    return s",
    "sigmoid": "def sigmoid(x):\n    s = 1 / (1 + np.exp(-x))\n    return s",
}
SECRET_FILE = "submission_secret.txt"  # nbgrader's: names the feedback of a submission
# Texts of the source notebook that feedback must never show (the hidden tests compare with
# the reference solutions through reference.load).
SECRETS = ["BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "### BEGIN SOLUTION", "### END SOLUTION",
           "reference.load"]


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def hidden_helper_names(source: nbformat.NotebookNode) -> list[str]:
    """Names defined inside the hidden tests of the source notebook (e.g. _hidden_sigmoid)."""
    names = set()
    for cell in source.cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS",
                                cell.source, flags=re.S):
            names.update(re.findall(r"^\s*def (\w+)", block, flags=re.M))
    return sorted(names)


def solutions(source: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> what a student who wrote the reference solution leaves in the cell."""
    return {c.metadata.nbgrader["grade_id"]: student_answer(c.source) for c in source.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def nbgrader_config(exchange: Path, student: str | None = None) -> str:
    """Settings for the exchange; a student's own names them (nbgrader's exchange would take
    the account's login name, and the test runs every student under one account)."""
    text = (f"\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(exchange)!r}\n")
    if student:
        text += f"c.CourseDirectory.student_id = {student!r}\n"
    return text


# ------------------------------------------------------------------ the browser's helpers
def wait(driver, condition, message: str, timeout: float = LONG):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.3).until(condition, message)


def js_wait(driver, script: str, message: str, *args, timeout: float = LONG):
    """Wait until a JavaScript expression (a function body returning a value) is truthy."""
    return wait(driver, lambda d: d.execute_script(script, *args), message, timeout)


def visible(driver, css: str, message: str, timeout: float = LONG):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    return wait(driver, ec.visibility_of_element_located((By.CSS_SELECTOR, css)), message,
                timeout)


def click_xpath(driver, xpath: str, message: str, timeout: float = LONG):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    element = wait(driver, ec.element_to_be_clickable((By.XPATH, xpath)), message, timeout)
    element.click()
    return element


def open_lab(driver, server: browser.JupyterServer) -> None:
    driver.get(server.page("lab"))
    js_wait(driver, "return !!(window.jupyterapp && window.jupyterapp.shell"
                    " && document.querySelector('.jp-LabShell #jp-main-dock-panel'));",
            "JupyterLab did not start")
    driver.execute_async_script("const done = arguments[0];"
                                "window.jupyterapp.restored.then(() => done(true));")


def log_in(driver, server: browser.JupyterServer) -> None:
    """Jupyter's login page, with the token as password: formgrader's pages need the cookie."""
    driver.get(f"{server.url}/login")
    visible(driver, "input[type=password]", "no login page").send_keys(server.token)
    visible(driver, "#login_submit, button[type=submit]", "no login button").click()
    wait(driver, lambda d: "/login" not in d.current_url, "the token was not accepted")


def open_assignment_list(driver) -> None:
    click_xpath(driver, "//div[contains(@class,'lm-MenuBar-itemLabel')][text()='Nbgrader']",
                "no Nbgrader menu in JupyterLab (nbgrader's labextension)")
    click_xpath(driver, "//div[contains(@class,'lm-Menu-itemLabel')][text()='Assignment List']",
                "no Assignment List in the Nbgrader menu")
    lists_loaded(driver)


def lists_loaded(driver) -> None:
    js_wait(driver, """
        const ids = ['released', 'fetched', 'submitted'];
        return ids.every(n => {
            const el = document.getElementById(n + '_assignments_list');
            const busy = document.getElementById(n + '_assignments_list_loading');
            return el && !(busy && busy.offsetParent !== null);
        });""", "the Assignment List did not load")


def refresh_assignment_list(driver) -> None:
    visible(driver, "#refresh_assignments_list", "no refresh button").click()
    lists_loaded(driver)


def list_rows(driver, name: str) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#' + arguments[0] + '_assignments_list"
        " > .list_item')].filter(e => e.offsetParent !== null).map(e => e.innerText);", name)


CELL_JS = """
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = panel && panel.content && panel.content.widgets;
    if (!cells) { return null; }
    const cell = cells.find(w => ((w.model.getMetadata('nbgrader') || {}).grade_id
                                  === arguments[0]));
"""


def cell_node(driver, grade_id: str):
    node = driver.execute_script(CELL_JS + "if (!cell) { return null; }"
                                 "cell.node.scrollIntoView({block: 'center'});"
                                 "return cell.node;", grade_id)
    assert node is not None, f"no cell {grade_id} in the open notebook"
    return node


def cell_source(driver, grade_id: str) -> str:
    return driver.execute_script(CELL_JS + "return cell.model.sharedModel.getSource();", grade_id)


def cell_output(driver, grade_id: str) -> str:
    return driver.execute_script(
        CELL_JS + "const out = cell.node.querySelector('.jp-OutputArea');"
                  "return out ? out.innerText : '';", grade_id)


def type_into_cell(driver, grade_id: str, code: str) -> None:
    """Click into the cell's editor, select all, type `code` as a person would."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    node = cell_node(driver, grade_id)
    editor = node.find_element("css selector", ".cm-content")
    editor.click()
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
    ActionChains(driver).send_keys(Keys.DELETE).perform()
    typed = "\n".join(line.lstrip() for line in code.splitlines())
    ActionChains(driver).send_keys(typed).perform()
    wait(driver, lambda d: cell_source(d, grade_id) == code and editor.text == code,
         f"the editor of {grade_id} does not show and hold what was typed: {code!r}")


def run_cell(driver, grade_id: str) -> None:
    """Select the cell and press Shift+Enter."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    node = cell_node(driver, grade_id)
    prompt = node.find_element("css selector", ".jp-InputPrompt")
    prompt.click()
    before = driver.execute_script(CELL_JS + "return cell.model.executionCount;", grade_id)
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    js_wait(driver, CELL_JS + "const n = cell.model.executionCount;"
                              "return n !== null && n !== arguments[1];",
            f"{grade_id} did not run", grade_id, before)


# --------------------------------------------------------------------------------- the test
def test_term_in_browser(tmp_path):
    why = browser.missing()
    if why:
        pytest.skip(f"browser test: {why}")
    from selenium.webdriver.common.action_chains import ActionChains

    shots_dir = Path(os.environ.get("NNDL_SCREENSHOTS") or tmp_path / "screenshots")
    print(f"\nscreenshots: {shots_dir}")
    started = time.monotonic()

    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    course = make_course(tmp_path / "course", [ASSIGNMENT])
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(nbgrader_config(exchange))
        # nbgrader's own plugin: a late submission scores zero
        config.write("c.LateSubmissionPlugin.penalty_method = 'zero'\n")
    name = notebook_name(course, ASSIGNMENT)
    source = nbformat.read(course / "source" / ASSIGNMENT / name, as_version=4)
    answers = solutions(source)
    secret_names = hidden_helper_names(source)
    assert secret_names, "the source notebook's hidden tests define no helper"

    nbgrader = browser.tool("nbgrader")
    nndl = browser.tool("nndl")
    instructor_home = tmp_path / "instructor"
    instructor = browser.user_env(instructor_home, "instructor")
    instructor["NNDL_COURSE_DIR"] = str(course)

    def teach(*cmd: str) -> str:
        return browser.run(list(cmd), cwd=course, env=instructor)

    for student, (first, last) in STUDENTS.items():
        teach(nbgrader, "db", "student", "add", student, f"--first-name={first}",
              f"--last-name={last}")
    # 1. released with a due date a day away
    teach(nbgrader, "db", "assignment", "add", ASSIGNMENT,
          f"--duedate={utc(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1))}")
    teach(nbgrader, "release_assignment", ASSIGNMENT)

    homes, envs = {}, {}
    for student in STUDENTS:
        homes[student] = tmp_path / student
        envs[student] = browser.user_env(homes[student], student)
        (homes[student] / ".jupyter" / "nbgrader_config.py").write_text(
            "c = get_config()  # noqa: F821\n" + nbgrader_config(exchange, student))
        settings = homes[student] / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
        for plugin, values in {
            # every cell in the page (no windowing), no news or update checks
            "notebook-extension/tracker": {"windowingMode": "none"},
            "apputils-extension/notification": {"fetchNews": "false",
                                                "checkForUpdates": False},
        }.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))

    # nbgrader's labextension and server extensions come with the nbgrader package
    labext = browser.run([browser.tool("jupyter"), "labextension", "list"], cwd=homes["alice"],
                         env=envs["alice"])
    assert re.search(r"@jupyter/nbgrader\S* v\S+ .*enabled", browser.ANSI.sub("", labext)), labext
    serverext = browser.ANSI.sub("", browser.run(
        [browser.tool("jupyter"), "server", "extension", "list"], cwd=homes["alice"],
        env=envs["alice"]))
    for ext in ["assignment_list", "validate_assignment", "formgrader"]:
        assert re.search(rf"nbgrader\.server_extensions\.{ext} .*enabled", serverext), serverext

    servers: list[browser.JupyterServer] = []
    driver = shots = None
    try:
        lab = browser.JupyterServer(homes["alice"], envs["alice"], tmp_path / "alice-lab.log")
        servers.append(lab)
        driver = browser.chromium(tmp_path / "chromium-profile", tmp_path / "chromedriver.log")
        shots = browser.Screenshots(driver, shots_dir)

        # 2. alice: the Assignment List shows the release; fetch, open the notebook
        open_lab(driver, lab)
        open_assignment_list(driver)
        wait(driver, lambda d: any(ASSIGNMENT in r for r in list_rows(d, "released")),
             "the released assignment is not in the Assignment List")
        shots.take("assignment_list_released")
        click_xpath(driver, "//div[@id='released_assignments_list']//button[text()='Fetch']",
                    "no Fetch button")
        wait(driver, lambda d: any(ASSIGNMENT in r for r in list_rows(d, "fetched")),
             "the fetched assignment is not listed")
        assert (homes["alice"] / ASSIGNMENT / name).is_file()
        click_xpath(driver, f"//div[@id='fetched_assignments_list']//a[text()='{ASSIGNMENT}']",
                    "no fetched assignment to expand")
        click_xpath(driver, f"//div[@id='fetched_assignments_list']//a[text()="
                            f"'{Path(name).stem}']", "no notebook link under the assignment")
        js_wait(driver, "const w = window.jupyterapp.shell.currentWidget;"
                        "return w && w.context && w.context.path.endsWith(arguments[0])"
                        " && w.sessionContext.session && w.sessionContext.session.kernel"
                        " && w.sessionContext.session.kernel.connectionStatus === 'connected';",
                "the notebook did not open with a kernel", name)
        shots.take("notebook_opened")

        run_cell(driver, "imports")
        for func, (code, expected) in WRONG.items():
            type_into_cell(driver, func, code)
            run_cell(driver, func)
            run_cell(driver, f"test_{func}")
            wait(driver, lambda d, f=func, e=expected: all(t in cell_output(d, f"test_{f}")
                                                           for t in e),
                 f"the check of {func} does not name the mistake")
            cell_node(driver, f"test_{func}")
            shots.take(f"{func}_named_mistake")
            assert "all checks passed" not in cell_output(driver, f"test_{func}")

            type_into_cell(driver, func, RIGHT[func])
            run_cell(driver, func)
            run_cell(driver, f"test_{func}")
            wait(driver, lambda d, f=func: f"\N{CHECK MARK} {f}: all checks passed"
                 in cell_output(d, f"test_{f}"), f"the check of {func} does not pass")
            out = cell_output(driver, f"test_{func}")
            assert not any(t in out for t in expected), out
            cell_node(driver, f"test_{func}")
            shots.take(f"{func}_check_passes")

        # the other answers (reference solutions) through JupyterLab's API, then save
        for grade_id, text in answers.items():
            if grade_id not in RIGHT:
                driver.execute_script(CELL_JS + "cell.model.sharedModel.setSource(arguments[1]);",
                                      grade_id, text)
        driver.execute_async_script(
            "const done = arguments[0];"
            "window.jupyterapp.commands.execute('docmanager:save').then(() => done(true));")
        js_wait(driver, "return !window.jupyterapp.shell.currentWidget.context.model.dirty;",
                "the notebook was not saved")
        saved = nbformat.read(homes["alice"] / ASSIGNMENT / name, as_version=4)
        saved_answers = {c.metadata.nbgrader["grade_id"]: c.source for c in saved.cells
                         if c.metadata.get("nbgrader", {}).get("solution")}
        assert saved_answers == {**answers, **RIGHT}

        visible(driver, "jp-button.validate-button", "no Validate button").click()
        dialog = visible(driver, ".nbgrader-SuccessDialog, .nbgrader-ErrorDialog",
                         "Validate showed no result")
        shots.take("validate")
        assert "nbgrader-SuccessDialog" in dialog.get_attribute("class"), dialog.text
        assert "Success! Your notebook passes all the tests." in dialog.text, dialog.text
        click_xpath(driver, "//div[contains(@class,'jp-Dialog')]//button", "no OK button")

        # submit from the Assignment List
        driver.execute_script("window.jupyterapp.commands.execute("
                              "'nbgrader:open-assignment-list');")
        lists_loaded(driver)
        click_xpath(driver, "//div[@id='fetched_assignments_list']//button[text()='Submit']",
                    "no Submit button")
        wait(driver, lambda d: any(ASSIGNMENT in r for r in list_rows(d, "submitted")),
             "the submission is not listed")
        shots.take("submitted")
        alice_sent = datetime.datetime.now(datetime.UTC)

        # 3. the due date passes; bob submits afterwards from his own account (nbgrader's CLI)
        due = alice_sent + datetime.timedelta(seconds=1)
        teach(nbgrader, "db", "assignment", "add", ASSIGNMENT, f"--duedate={utc(due)}")
        while datetime.datetime.now(datetime.UTC) < due + datetime.timedelta(seconds=1):
            time.sleep(0.2)  # the clock must pass the due date; not a wait for a result
        browser.run([nbgrader, "fetch_assignment", ASSIGNMENT], cwd=homes["bob"],
                    env=envs["bob"])
        bob_nb = nbformat.read(homes["bob"] / ASSIGNMENT / name, as_version=4)
        for cell in bob_nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        nbformat.write(bob_nb, homes["bob"] / ASSIGNMENT / name)
        browser.run([nbgrader, "submit", ASSIGNMENT], cwd=homes["bob"], env=envs["bob"])

        # 4. collect, grade, formgrader
        teach(nbgrader, "collect", ASSIGNMENT)
        for student in STUDENTS:
            assert (course / "submitted" / student / ASSIGNMENT / "timestamp.txt").is_file()
        teach(nndl, "grade", ASSIGNMENT)
        teach(nndl, "export", "--to", str(tmp_path / "grades.csv"))
        with open(tmp_path / "grades.csv") as f:
            grades = {row["student_id"]: row for row in csv.DictReader(f)}

        formgrader = browser.JupyterServer(course, instructor, tmp_path / "formgrader.log")
        servers.append(formgrader)
        log_in(driver, formgrader)
        driver.get(f"{formgrader.url}/formgrader/manage_submissions/{ASSIGNMENT}")
        for student in STUDENTS:
            wait(driver, lambda d, s=student: s in d.find_element("tag name", "body").text,
                 f"formgrader does not list {student}")
        rows = {student: driver.find_element(
            "xpath", f"//tr[td[normalize-space()='{student}']]").text for student in STUDENTS}
        shots.take("formgrader_submissions")
        max_score = float(grades["alice"]["max_score"])
        assert max_score > 0
        for student in STUDENTS:
            raw = float(grades[student]["raw_score"])
            assert raw == max_score, (student, grades[student])
            assert f"{raw:g} / {max_score:g}" in rows[student] or \
                f"{raw:.1f} / {max_score:.1f}" in rows[student], rows[student]

        # the autograded notebook of the late student, in formgrader
        driver.get(f"{formgrader.url}/formgrader/manage_students/bob/{ASSIGNMENT}")
        click_xpath(driver, "//a[contains(@href,'/formgrader/submissions/')]",
                    "no link to bob's autograded notebook")
        wait(driver, lambda d: "passed: 1 of 1 point(s)" in d.find_element("tag name",
                                                                           "body").text,
             "formgrader does not show the autograded notebook's verdicts")
        page_text = driver.find_element("tag name", "body").text
        assert "Student's answer" in page_text and RIGHT["sigmoid"].splitlines()[1].strip() \
            in page_text, page_text[:2000]
        driver.execute_script("document.getElementById('test_basic_sigmoid')"
                              ".scrollIntoView({block: 'start'});")
        shots.take("formgrader_autograded_notebook")

        assert float(grades["alice"]["late_submission_penalty"]) == 0, grades["alice"]
        assert float(grades["alice"]["score"]) == max_score

        # 5. feedback: made, released, fetched by alice in her Assignment List
        teach(nndl, "feedback", ASSIGNMENT)
        for student in STUDENTS:  # nbgrader's release_feedback needs it beside the feedback
            assert (course / "feedback" / student / ASSIGNMENT / SECRET_FILE).is_file(), \
                f"nndl grade/feedback left {SECRET_FILE} out of feedback/{student}/{ASSIGNMENT}"
        teach(nbgrader, "release_feedback", ASSIGNMENT)
        open_lab(driver, lab)
        open_assignment_list(driver)
        click_xpath(driver, "//div[@id='submitted_assignments_list']"
                            "//button[text()='Fetch Feedback']", "no Fetch Feedback button")
        click_xpath(driver, "//div[@id='submitted_assignments_list']"
                            "//a[contains(text(),'view feedback')]", "no view feedback link")
        feedback = sorted((homes["alice"] / ASSIGNMENT / "feedback").glob("*/*.html"))
        assert len(feedback) == 1, feedback
        item = click_xpath(driver, "//li[contains(@class,'jp-DirListing-item')]"
                                   "[.//span[contains(@class,'jp-DirListing-itemText')]"
                                   f"[contains(.,'{feedback[0].name}')]]",
                           "the file browser does not show the feedback")
        shots.take("feedback_fetched")
        ActionChains(driver).double_click(item).perform()
        frame = visible(driver, ".jp-HTMLViewer iframe", "the feedback did not open")
        driver.switch_to.frame(frame)
        try:
            wait(driver, lambda d: f"{Path(name).stem} (Score: {max_score:.1f} / "
                 f"{max_score:.1f})" in d.find_element("tag name", "body").text,
                 "the feedback shows no score")
            page_text = driver.find_element("tag name", "body").text
            page_html = driver.page_source
        finally:
            driver.switch_to.default_content()
        shots.take("feedback_page")
        verdicts = page_text.count("passed: ")
        assert verdicts == len(points_of_test_cells(source)), page_text[:3000]
        for text in [page_html, feedback[0].read_text()]:
            for secret in SECRETS + secret_names:
                assert secret not in text, f"alice's feedback shows {secret!r}"

        # the late submission carries nbgrader's late penalty (penalty_method 'zero'): in the
        # export and in bob's feedback
        assert float(grades["bob"]["late_submission_penalty"]) == max_score, grades["bob"]
        assert float(grades["bob"]["score"]) == 0, grades["bob"]
        bob_feedback = sorted((course / "feedback" / "bob" / ASSIGNMENT).glob("*.html"))
        assert len(bob_feedback) == 1, bob_feedback
        driver.get(bob_feedback[0].as_uri())
        wait(driver, lambda d: f"Late submission penalty (Score: -{max_score:.1f})"
             in d.find_element("tag name", "body").text,
             "bob's feedback does not show the late penalty")
        assert f"(Score: 0.0 / {max_score:.1f})" in driver.find_element("tag name", "body").text
        shots.take("late_feedback")
        print(f"browser loop: {time.monotonic() - started:.0f} s, "
              f"{shots.count} screenshots in {shots_dir}")
    except BaseException:
        if shots is not None:
            print(f"failed; the page as it was: {shots.take('failure')}")
        raise
    finally:
        if driver is not None:
            driver.quit()
        for server in reversed(servers):
            server.stop()
