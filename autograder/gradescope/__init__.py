"""The kit on Gradescope: an autograder.zip that grades one notebook per submission.

- bundle.py        builds autograder.zip (scripts, pins, settings, the kit)
- requirements.py  the bundle's pins, generated from requirements.txt
- settings.py      Gradescope's overrides of course_config.py (memory, time, jobs)
- run.py           what run_autograder runs: grade, always write results.json
- visible.py       results.json plus what a student may see before the due date
- templates/       setup.sh (a Jinja template) and run_autograder

Only run.py, settings.py and visible.py go into the bundle, so this package imports
nothing at import time (``from autograder.gradescope.bundle import build_bundle``).
"""
