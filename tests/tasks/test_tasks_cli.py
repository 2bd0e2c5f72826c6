"""`wildsynth dataset generate --task`: bad input is one line, exit 2, nothing written; the spec
stores the task with all its parameters, and a resume with other ones is refused."""

import pytest
from typer.testing import CliRunner

from wildsynth.cli import app
from wildsynth.dataset.jobs import check_spec, make_spec, plan_jobs, save_spec
from wildsynth.params import UserError

runner = CliRunner()


@pytest.mark.parametrize("args, words", [
    (["--task", "nope"], ["--task 'nope'", "pairs", "nvs"]),
    (["--task", "nvs", "--task-option", "targets=0"], ["--task-option targets=0", "greater than"]),
    (["--task", "pairs", "--task-option", "bogus=1"], ["--task-option bogus=1"]),
    (["--task", "pairs", "--task-option", "split"], ["KEY=VALUE"]),
    (["--task-option", "targets=2"], ["without --task"]),
])
def test_bad_task_input_is_one_line(tmp_path, args, words):
    out = tmp_path / "ds"
    r = runner.invoke(app, ["dataset", "generate", "--out", str(out), *args])
    assert r.exit_code == 2, r.output
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and all(w in lines[0] for w in words), r.output
    assert not out.exists()


def test_spec_stores_the_task_and_refuses_other_options(tmp_path):
    spec = make_spec(out=tmp_path, task="nvs", task_options={"targets": 2})
    assert spec.task_options["targets"] == 2 and spec.task_options["distance"] == 0.5  # stored complete
    save_spec(spec)
    check_spec(make_spec(out=tmp_path, task="nvs", task_options={"targets": 2, "distance": 0.5}))
    with pytest.raises(UserError, match="task_options.targets"):
        check_spec(make_spec(out=tmp_path, task="nvs", task_options={"targets": 3}))
    with pytest.raises(UserError, match="task"):
        check_spec(make_spec(out=tmp_path))


def test_objects_jobs_need_no_scene():
    jobs = plan_jobs(make_spec(out="/tmp/nowhere", task="objects", task_options={"kind": "rocks"}, count=3, seed=5))
    assert [j.id for j in jobs] == ["objects/000005", "objects/000006", "objects/000007"]
    assert [j.id.split("/")[0] for j in plan_jobs(make_spec(out="/tmp/nowhere", task="pairs"))] == ["meadow"]
