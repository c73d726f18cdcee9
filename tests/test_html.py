"""--format html: one self-contained page per view, played in a real headless Chromium, offline.

The browser tests need Debian's chromium and chromium-driver and selenium (the test extra); where
any is missing they skip, saying which (.ci/run installs them)."""

from __future__ import annotations

import json
import re
import shutil
import time

import numpy as np
import pytest

import optanim
from optanim.errors import OptanimError
from optanim.output.html import tick_indices
from optanim.views.base import fmt

from helpers import tiny_scene, use_failing_ffmpeg

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium driven by selenium, with the network switched off."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    from selenium.webdriver.chrome.service import Service

    binary = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        pytest.skip("needs Chromium and its driver: apt-get install chromium chromium-driver (.ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--autoplay-policy=no-user-gesture-required", "--window-size=1500,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    yield driver
    driver.quit()


def wait_for(driver, script: str, timeout: float = 20.0):
    """Poll a JavaScript expression until it is truthy; its value."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {script}")


def press(driver, key: str) -> None:
    """A key as a person presses it (to the focused page), by its name in selenium's Keys, or a character."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).send_keys(getattr(Keys, key, key)).perform()


def shown_text(driver) -> tuple[str, list[str]]:
    """What the page says: #step, and each run's line of #readout."""
    step = driver.find_element("id", "step").text
    rows = [f'{row.find_element("css selector", ".label").text} {row.find_element("css selector", ".value").text}'
            for row in driver.find_elements("css selector", "#readout li")]
    return step, rows


def expected(recording, step: int) -> list[str]:
    """Each run's label and loss at `step`, from the recording (as the video's readout says it)."""
    rows = []
    for path in recording.paths.values():
        if path.diverged and step >= path.diverged_at:
            rows.append(f"{path.label} diverged at step {path.diverged_at}")
        else:
            rows.append(f"{path.label} loss {fmt(path.full_loss[min(step, len(path.a) - 1)])}")
    return rows


def step_line(recording, step: int) -> str:
    line = f"step {step} / {recording.n_steps - 1}"
    if recording.has_data:
        line += f" · epoch {step // recording.steps_per_epoch + 1} / {recording.epochs}"
    return line


def open_page(driver, page) -> None:
    driver.get(page.resolve().as_uri())
    wait_for(driver, "document.getElementById('video').readyState >= 2")


def settled(driver) -> int:
    """The frame the paused video shows once its seek is done."""
    wait_for(driver, "!document.getElementById('video').seeking")
    fps = driver.execute_script("return JSON.parse(document.getElementById('optanim-player').textContent).fps")
    return int(np.floor(driver.execute_script("return document.getElementById('video').currentTime") * fps + 0.1))


def picture(driver) -> np.ndarray:
    """The frame the page's <video> shows, as the browser decoded it (drawn into a canvas)."""
    import base64
    import io

    from PIL import Image

    uri = driver.execute_script(
        "const v = document.getElementById('video'), c = document.createElement('canvas');"
        "c.width = v.videoWidth; c.height = v.videoHeight; c.getContext('2d').drawImage(v, 0, 0);"
        "return c.toDataURL('image/png');")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"), dtype=float)


def video_frames(page, tmp_path) -> np.ndarray:
    """Every frame of the page's own video, decoded here."""
    import base64

    from helpers import decode

    data = re.search(r'src="data:video/mp4;base64,([^"]+)"', page.read_text(encoding="utf-8")).group(1)
    video = tmp_path / "inline.mp4"
    video.write_bytes(base64.b64decode(data))
    return decode(video)[1].astype(float)


def closest_frame(shot: np.ndarray, frames: np.ndarray) -> int:
    return int(np.argmin([np.abs(frame - shot).mean() for frame in frames]))


def render_page(scene, tmp_path, view="contour"):
    recording = optanim.record(scene)
    page, = optanim.render(scene, views=[view], quality="l", formats=["html"], out=tmp_path, recording=recording)
    return page, recording, np.floor(optanim.frame_steps(scene, recording, "l")).astype(int)


def test_page_is_one_file_that_needs_no_network(tmp_path):
    page, recording, steps = render_page(tiny_scene(), tmp_path)
    text = page.read_text(encoding="utf-8")
    assert page.name == "contour.html" and list(page.parent.iterdir()) == [page]
    # nothing fetched: no address anywhere, the video inline
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text)
    assert "https://" not in text and "http://" not in text
    assert re.search(r'<video id="video"[^>]* src="data:video/mp4;base64,', text)
    data = json.loads(re.search(r'id="optanim-player">(.*?)</script>', text, re.S).group(1))
    assert len(data["frames"]) == len(steps)
    assert [s["step"] for s in data["shown"]] == sorted(set(steps.tolist()))
    assert data["shown"][0]["label"] == "step 0 / 25 · epoch 1 / 2"


def test_page_plays_offline_and_steps_by_recorded_steps(browser, tmp_path):
    page, recording, steps = render_page(tiny_scene(), tmp_path)
    frames = video_frames(page, tmp_path)
    assert len(frames) == len(steps)
    open_page(browser, page)
    # offline, and nothing but the page itself (data: URIs are not fetched)
    assert browser.execute_script("return navigator.onLine") is False
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(name.startswith("data:") for name in fetched), fetched
    assert shown_text(browser) == (step_line(recording, 0), expected(recording, 0))
    browser.save_screenshot(str(tmp_path / "start.png"))

    # space plays: the video's clock runs and the readout follows it
    press(browser, " ")
    wait_for(browser, "document.getElementById('video').currentTime > 0.4")
    assert browser.execute_script("return document.getElementById('video').paused") is False
    press(browser, " ")
    wait_for(browser, "document.getElementById('video').paused")
    frame = settled(browser)
    step = steps[frame]
    assert step > 0
    assert shown_text(browser) == (step_line(recording, step), expected(recording, step))

    # the arrow keys go to the next and the previous step the video shows, not the next frame
    unique = sorted(set(steps.tolist()))
    press(browser, "ARROW_LEFT")   # from wherever playback stopped
    press(browser, "HOME")         # to step 0
    assert settled(browser) == 0
    for k in range(1, 4):
        press(browser, "ARROW_RIGHT")
        frame = settled(browser)
        assert steps[frame] == unique[k], (frame, k)
        assert frame == int(np.argmax(steps == unique[k]))   # the step's first frame
        assert shown_text(browser) == (step_line(recording, unique[k]), expected(recording, unique[k]))
        # ...and the picture is that frame of the video (its readout says the same step)
        assert steps[closest_frame(picture(browser), frames)] == unique[k]
    press(browser, "ARROW_LEFT")
    assert steps[settled(browser)] == unique[2]
    assert shown_text(browser)[0] == step_line(recording, unique[2])
    browser.save_screenshot(str(tmp_path / "stepped.png"))
    # the scrubber is labelled with the step and the epoch, and sits where the step is
    assert browser.find_element("id", "scrub-label").text == step_line(recording, unique[2])
    assert browser.find_element("id", "scrubber").get_attribute("value") == "2"


def test_a_step_drawn_over_several_frames_is_one_arrow_press(browser, tmp_path):
    # 8 steps over 30 frames: each step is shown for several frames, an arrow press moves by one step
    scene = optanim.Scene(name="slow", loss="booth", init=(-5.0, 5.0), steps=8, lr=0.05, optimizers=["sgd", "adam"],
                          duration=2.0, hold=0.2, easing="linear")
    page, recording, steps = render_page(scene, tmp_path, view="loss")
    assert len(steps) > 2 * len(set(steps.tolist()))
    open_page(browser, page)
    assert shown_text(browser)[0] == "step 0 / 7"
    for step in range(1, 4):
        press(browser, "ARROW_RIGHT")
        frame = settled(browser)
        assert steps[frame] == step and frame == int(np.argmax(steps == step))
        assert shown_text(browser) == (f"step {step} / 7", expected(recording, step))
    press(browser, "END")
    settled(browser)
    assert shown_text(browser) == ("step 7 / 7", expected(recording, 7))


def test_a_grids_readout_names_each_panel(tmp_path):
    scene = tiny_scene(optimizers=["sgd", "adam"], sweep={"lr": [0.01, 0.05]})
    page, = optanim.render(scene, views=["loss"], quality="l", formats=["html"], out=tmp_path)
    text = page.read_text(encoding="utf-8")
    labels = re.findall(r'<span class="label"[^>]*>([^<]*)</span>', text)
    assert len(labels) == 4 and all(" · " in label for label in labels), labels


def test_html_is_atomic_and_refused_where_it_cannot_be(tmp_path, monkeypatch):
    scene = tiny_scene(duration=0.4, hold=0.2)
    page, = optanim.render(scene, views=["loss"], quality="l", formats=["html"], out=tmp_path)
    before = page.read_bytes()
    use_failing_ffmpeg(tmp_path, monkeypatch)
    with pytest.raises(OptanimError, match="ffmpeg failed|encoder stopped"):
        optanim.render(scene, views=["loss"], quality="l", formats=["html"], out=tmp_path)
    assert page.read_bytes() == before
    assert sorted(p.name for p in page.parent.iterdir()) == ["loss.html"]
    monkeypatch.delenv("OPTANIM_FFMPEG")
    with pytest.raises(OptanimError, match="^formats: html steps through optimizer runs"):
        optanim.render_init(optanim.InitScene(depth=3, width=8, batch=16), formats=["html"], out=tmp_path)


def test_scrubber_ticks():
    assert tick_indices(1) == [0]
    assert tick_indices(3) == [0, 1, 2]
    assert tick_indices(101) == [0, 20, 40, 60, 80, 100]


def test_the_page_carries_its_manifest_and_from_renders_it_again(tmp_path, capsys):
    from optanim.cli import main
    from optanim.output.manifest import read_manifest

    scene = tmp_path / "small.py"
    scene.write_text("from optanim import Scene\nscene = Scene(epochs=2, optimizers=['sgd', 'adam'], lr=0.05, "
                     "duration=0.6, hold=0.2)\n")
    assert main([str(scene), "-ql", "--views", "loss", "--format", "html", "--out", str(tmp_path / "a"),
                 "--quiet"]) == 0
    page = tmp_path / "a" / "small" / "480p15" / "loss.html"
    manifest = read_manifest(page)
    assert manifest["file"] == {"views": ["loss"], "format": "html"} and "scene_source" in manifest
    assert main(["--from", str(page), "--out", str(tmp_path / "b"), "--quiet"]) == 0
    again = (tmp_path / "b" / "small" / "480p15" / "loss.html").read_text(encoding="utf-8")
    player = lambda text: re.search(r'id="optanim-player">(.*?)</script>', text, re.S).group(1)  # noqa: E731
    assert player(again) == player(page.read_text(encoding="utf-8"))   # the same steps and readouts
    capsys.readouterr()
