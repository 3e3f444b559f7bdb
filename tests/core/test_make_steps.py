"""Issue 15 item 11: `make run` prints a line for each set-up step, so a newcomer on a fresh
machine knows it is working during the first minutes (installing packages, the venv, the
servers, migrations, demo data) before the URL and accounts appear."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Each announced step and a command of the step it announces, in the order `make run` runs them.
STEPS = [
    ("[1/6]", "scripts/services.sh deps"),
    ("[2/6]", None),  # the venv step's commands run only when requirements.lock changed
    ("[3/6]", "scripts/services.sh up"),
    ("[4/6]", "manage.py migrate"),
    ("[5/6]", "manage.py load_demo"),
    ("[6/6]", "scripts/app.sh start"),
]


def test_make_run_announces_every_step_before_it_runs():
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = plan.splitlines()
    announced = [i for i, line in enumerate(lines) if line.startswith("echo \"==> [")]
    assert [lines[i].split()[2] for i in announced] == [tag for tag, _ in STEPS]
    for (tag, command), at in zip(STEPS, announced, strict=True):
        if command is None:
            continue
        ran_at = next(i for i, line in enumerate(lines) if command in line)
        assert ran_at > at, f"{command} runs before its step line {tag}"
        later = [i for i in announced if i > at]
        assert not later or ran_at < later[0], f"{command} is not inside step {tag}"
