# nbgrader loads this file from the working directory; every setting lives in course_config.py.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from course_config import apply_to_nbgrader

apply_to_nbgrader(get_config())  # noqa: F821 (get_config is provided by nbgrader)
