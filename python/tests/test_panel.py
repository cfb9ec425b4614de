"""sl.Panel: the C library's panel aggregation (sl_panel) from Python."""

import math

import pytest

import softlabel as sl


def worked_example(**kwargs):
    pb = sl.Panel(**kwargs)
    for reviewer, label in [("r1", "moderate"), ("r2", "moderate"), ("r3", "severe"),
                            ("r4", "mild")]:
        assert pb.add("i1", "severity", reviewer, label) is True
    pb.finish()
    return pb


def test_worked_example():
    pb = worked_example()
    assert len(pb) == 1
    it = pb[0]
    assert it["distribution"] == {"mild": 0.25, "moderate": 0.5, "severe": 0.25}
    assert math.isclose(it["entropy_bits"], 1.5, abs_tol=1e-15)
    assert it["disagreement_class"] == "major"
    assert it["reviewer_count"] == 4
    assert it["adjudicated_label"] is None
    assert [v["reviewer"] for v in it["votes"]] == ["r1", "r2", "r3", "r4"]
    assert [v["tag"] for v in it["votes"]] == [0, 1, 2, 3]
    with pytest.raises(IndexError):
        pb[1]
    qa = pb.qa()
    assert qa["items"] == 1 and qa["annotations"] == 4 and qa["reviewers"] == 4
    assert qa["disagreement_classes"]["major"] == 1
    assert qa["reviewer_gold_pass_rate"] is None


def test_bad_fields_name_the_field_and_lose_nothing():
    pb = sl.Panel()
    pb.add("i1", "t", "r1", "a", confidence=0.5)
    cases = [
        (dict(item_id="", task="t", reviewer="r2", label="a"), sl.Status.PANEL_ITEM_ID),
        (dict(item_id="i1", task="t", reviewer="", label="a"), sl.Status.PANEL_REVIEWER),
        (dict(item_id="i1", task="t", reviewer="r2", label="a", confidence=1.5),
         sl.Status.PANEL_CONFIDENCE),
    ]
    for kwargs, status in cases:
        with pytest.raises(sl.SoftlabelError) as e:
            pb.add(**kwargs)
        assert e.value.status == status
    pb.add("i1", "t", "r2", "b", evidence="why")
    pb.finish()
    with pytest.raises(sl.SoftlabelError) as e:
        pb.add("i2", "t", "r1", "a")
    assert e.value.status == sl.Status.PANEL_STATE
    it = pb[0]
    assert it["reviewer_count"] == 2
    assert it["votes"][1]["evidence"] == "why"
    assert it["votes"][0]["confidence"] == 0.5 and it["votes"][1]["confidence"] is None


def test_rubric_adjudication_and_conflicts():
    pb = sl.Panel(min_reviewers=2)
    pb.add_task("safety", ["unsafe", "safe"], adjudicate="plurality")
    with pytest.raises(sl.SoftlabelError) as e:
        pb.add_task("safety", ["a"])
    assert e.value.status == sl.Status.PANEL_TASK_TWICE
    assert pb.add("i1", "safety", "r1", "safe", gold="maybe") is False  # gold ignored
    pb.add("i1", "safety", "r2", "safe")
    pb.add("i1", "safety", "r3", "unsafe", error=True)
    pb.add("i1", "safety", "r1", "unsafe")  # a duplicate: refused at finish
    with pytest.raises(sl.SoftlabelError) as e:
        pb.add("i1", "safety", "r4", "fine")
    assert e.value.status == sl.Status.PANEL_UNKNOWN_LABEL
    pb.finish()
    assert pb.conflicts() == [(3, 0, int(sl.Status.PANEL_DUPLICATE))]
    it = pb[0]
    assert list(it["distribution"]) == ["unsafe", "safe"]
    assert it["distribution"] == {"unsafe": 0.0, "safe": 1.0}
    assert it["adjudicated_label"] == "safe"
    assert it["adjudication_reason"].startswith("plurality")
    assert it["votes"][2]["error"] is True


def test_threads_same_figures():
    def build(threads):
        pb = sl.Panel(threads=threads)
        for i in range(3000):
            pb.add(f"item{i % 700}", "t", f"r{i % 11}", "abc"[i * 7 % 3],
                   confidence=(i % 100) / 100)
        pb.finish()
        return [pb[i] for i in range(len(pb))], pb.qa()
    assert build(1) == build(3)


def test_bad_options():
    with pytest.raises(sl.ParameterError):
        sl.Panel(majority=0.0)
    with pytest.raises(ValueError):
        sl.Panel(adjudicate="sometimes")
