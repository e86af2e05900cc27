"""Topic briefings: every topic builds, with its national charts and attributed recommendations."""
import pytest
from bs4 import BeautifulSoup

from briefpack import content, topics
from conftest import run_build


@pytest.fixture(scope="module")
def topic_pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("topics")
    proc = run_build("--topics", "all", "--formats", "html,pdf", "--out", str(out), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    return out


def test_every_topic_builds(topic_pages):
    for key in topics.TOPIC_KEYS:
        slug = "topic-" + key.replace("_", "-")
        assert (topic_pages / f"{slug}.html").exists() and (topic_pages / f"{slug}.pdf").exists(), key


@pytest.mark.parametrize("key", topics.TOPIC_KEYS)
def test_topic_page(topic_pages, key):
    page = BeautifulSoup((topic_pages / f"topic-{key.replace('_', '-')}.html").read_text(encoding="utf-8"), "lxml")
    t = topics.TopicBriefing(key).topic
    assert page.h1.get_text() == t["title"]
    charts = page.select("figure.chart")
    assert len(charts) >= 2
    for fig in charts:
        assert len(fig.select_one("[role=img]")["aria-label"]) > 40
    recs = page.select("ul.recommendations li")
    assert len(recs) == len(t["recommendations"]) >= 3
    names = {s["author"] for s in content.sources().values()}
    assert all(any(n in li.get_text() for n in names) for li in recs), "every recommendation is attributed"
    if t.get("show_decisions"):
        assert "Conclusive grounds decisions each year, UK" in page.get_text()
    if t.get("show_duty_to_notify"):
        assert "Duty to Notify reports each year" in page.get_text()


def test_unknown_topic_is_one_line(tmp_path):
    proc = run_build("--topic", "kittens", "--out", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: Unknown topic 'kittens'")
    assert "\n" not in proc.stderr.strip() and not any(tmp_path.iterdir())
