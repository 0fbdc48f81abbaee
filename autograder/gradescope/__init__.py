"""The kit on Gradescope: an autograder.zip that grades one notebook per submission.

- bundle.py        builds autograder.zip (scripts, pins, settings, the kit)
- requirements.py  the bundle's pins, generated from requirements.txt
- settings.py      Gradescope's overrides of course_config.py (memory, time, jobs)
- run.py           what run_autograder runs: grade, always write results.json
- visible.py       results.json plus what a student may see before the due date
- templates/       setup.sh and run_autograder
"""

from autograder.gradescope.bundle import build_bundle
from autograder.gradescope.visible import for_gradescope

__all__ = ["build_bundle", "for_gradescope"]
